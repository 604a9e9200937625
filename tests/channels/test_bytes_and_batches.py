"""Arbitrary byte lengths and batches round-trip; batching does not change results."""

from __future__ import annotations

import numpy as np
import pytest

from semcom_channels import DigitalLink
from semcom_core.seeds import derive_seed


def random_bytes(n: int, seed: int = 0) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


@pytest.mark.parametrize("n_bytes", [0, 1, 2, 1057, 1056 * 2 + 3])
def test_lengths_roundtrip_coded(n_bytes):
    payload = random_bytes(n_bytes, seed=n_bytes)
    link = DigitalLink("qpsk", progress=False)
    received, rec = link.transmit(payload, 12.0, seed=5)
    assert received == payload
    assert rec.bits == 8 * n_bytes and rec.payload_intact
    if n_bytes == 0:
        assert rec.n_blocks == 0 and rec.channel_uses == 0
    else:
        assert rec.n_blocks >= 1 and rec.block_bits >= 12


def test_one_megabyte_roundtrip_uncoded():
    # the byte <-> bit <-> block bookkeeping at 1 MB (LDPC-decoding 1000 blocks takes
    # ~1.5 min on 2 CPU cores; the coded path is covered by the multi-block tests)
    payload = random_bytes(1_000_000 + 3, seed=9)
    link = DigitalLink("64qam", coding="none", progress=False)
    received, rec = link.transmit(payload, 40.0, seed=1)
    assert received == payload and rec.payload_intact
    assert rec.n_blocks == -(-rec.bits // rec.block_bits)


def test_fixed_block_bits_pads_last_block():
    payload = random_bytes(1000, seed=3)  # 8000 bits -> 4 blocks of 2048, 192 padding bits
    link = DigitalLink("16qam", block_bits=2048, progress=False)
    received, rec = link.transmit(payload, 14.0, seed=2)
    assert received == payload
    assert (rec.n_blocks, rec.block_bits, rec.codeword_bits) == (4, 2048, 4096)
    assert rec.channel_uses == 4 * 4096 // 4


def test_batch_equals_single_transmissions():
    payloads = [random_bytes(n, seed=n) for n in (0, 700, 1500, 31)]
    link = DigitalLink("qpsk", progress=False)
    batch = link.transmit_batch(payloads, 0.0, seed=42)  # Eb/N0 0 dB < Shannon limit: errors
    assert [len(b) for b, _ in batch] == [len(p) for p in payloads]
    # each file gets its own block layout, so its result never depends on the batch
    assert len({rec.block_bits for _, rec in batch}) > 1
    for i, (p, (data, rec)) in enumerate(zip(payloads, batch, strict=True)):
        assert rec.seed == derive_seed(42, i)
        single, srec = link.transmit(p, 0.0, seed=rec.seed)
        assert srec == rec
        assert single == data
        assert srec.bit_errors == rec.bit_errors and srec.block_errors == rec.block_errors
    assert any(not rec.payload_intact for _, rec in batch[1:])


def test_receiver_chunking_does_not_change_results():
    # 5 files of 3 blocks each at an SNR with decoding errors; one block per
    # receiver call, the CPU default chunk (7 blocks) and everything in one call
    payloads = [random_bytes(3 * 1056 - 5, seed=s) for s in range(5)]
    assert DigitalLink("qpsk", progress=False).max_chunk_bits == 2**17
    runs = [
        DigitalLink("qpsk", block_bits=8448, progress=False, max_chunk_bits=m).transmit_batch(
            payloads, 1.0, seed=8
        )
        for m in (1, None, 2**30)
    ]
    assert runs[0] == runs[1] == runs[2]
    recs = [rec for _, rec in runs[0]]
    assert sum(r.block_errors for r in recs) > 0 and any(r.payload_intact for r in recs)


def test_seeds_reproducible_and_distinct():
    payload = random_bytes(500, seed=1)
    link = DigitalLink("16qam", progress=False)
    a, ra = link.transmit(payload, 5.0, seed=123)
    b, rb = DigitalLink("16qam", progress=False).transmit(payload, 5.0, seed=123)
    c, rc = link.transmit(payload, 5.0, seed=124)
    assert a == b and ra == rb
    assert a != c and ra.bit_errors_uncoded != rc.bit_errors_uncoded


def test_no_global_rng_state_changed():
    import torch

    from semcom_channels._sionna import sionna_phy

    before = torch.get_rng_state()
    sionna_before = sionna_phy().config.torch_rng("cpu").get_state()
    np_before = np.random.get_state()[1].copy()
    DigitalLink("qpsk", interleave=True, progress=False).transmit(b"abc" * 100, 3.0, seed=1)
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(sionna_phy().config.torch_rng("cpu").get_state(), sionna_before)
    assert np.array_equal(np.random.get_state()[1], np_before)
