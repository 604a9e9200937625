"""DeepJSCC on a CUDA device: training, checkpoint loading with map_location, CPU/GPU parity.

Skipped without CUDA (the CPU suite covers the same code on CPU).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def test_train_on_cuda_and_decode_parity(tmp_path, astronaut):
    from semcom_codecs.deepjscc import DeepJSCCCodec
    from semcom_codecs.jscc_train import TrainConfig, train

    cfg = TrainConfig(epochs=2, steps_per_epoch=20, batch_size=16, crop=64, width=32, seed=3)
    res = train(cfg, tmp_path, device="cuda", progress=False)
    assert res.record["device"].startswith("cuda")
    assert res.record["eval_loss_final"] < res.record["eval_loss_initial"]
    gpu = DeepJSCCCodec(checkpoint=str(res.checkpoint), device="cuda")
    cpu = DeepJSCCCodec(checkpoint=str(res.checkpoint), device="cpu")
    assert next(gpu.model.parameters()).is_cuda and not next(cpu.model.parameters()).is_cuda
    img = astronaut[:101, :77]
    z_gpu = gpu.encode_symbols(img, k=4)
    out_gpu = gpu.decode_symbols(z_gpu, img.shape)
    out_cpu = cpu.decode_symbols(z_gpu, img.shape)
    assert out_gpu.shape == img.shape
    assert np.abs(out_gpu.astype(int) - out_cpu.astype(int)).max() <= 2  # TF32/cuDNN rounding


def test_shipped_checkpoint_on_cuda(astronaut):
    from semcom_codecs.deepjscc import DeepJSCCCodec

    codec = DeepJSCCCodec(device="cuda")
    e = codec.encode(astronaut, 0.25)
    assert e.reached and codec.decode(e.data, astronaut.shape).shape == astronaut.shape
