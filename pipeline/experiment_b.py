"""Experiment B: images through a channel at a grid of SNRs, at a fixed channel-use budget.

The systems are declared in the config (``experiments.B.systems``, see
:mod:`semcom_pipeline.systems`); each names a codec and a link. Two links share
one AWGN model and one SNR definition:

- ``ldpc`` (digital codecs): the source codec is given the bpp the link can
  carry, ``bpp = channel_uses_per_pixel x bits_per_symbol x code_rate``; its
  file goes through 5G LDPC + the modulation (fixed, or ``adaptive`` from the
  schedule) over AWGN; a file that does not decode yields the configured
  fallback image and ``decode_failed``.
- ``analog`` (JSCC codecs): the encoder's symbols (``channel_uses_per_pixel``
  of them per pixel, snapped to 16QAM points with ``modulation: qam16``) go
  through the same AWGN, the decoder reads the noisy symbols.

A shard is one system at one SNR. Every image has its own noise seed, derived
from (experiment, grid point, image id) with :func:`semcom_core.seeds.derive_seed`,
so an image's received version does not depend on the other images of the shard,
on ``sample.count`` or on chunking.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from semcom_core.imageio import load_rgb, save_png
from semcom_core.seeds import derive_seed
from semcom_pipeline.grid import snr_point
from semcom_pipeline.records import condition_row, write_json
from semcom_pipeline.systems import BSystem, b_systems

__all__ = ["analog_transmit", "ldpc_transmit", "mean_image", "transmit_shard"]

log = logging.getLogger(__name__)

#: What a link's transmit function returns: image id -> (received image or None, record row, details).
Results = dict[str, tuple[np.ndarray | None, dict[str, Any], dict[str, Any]]]


def mean_image(images: list[np.ndarray]) -> np.ndarray:
    """The sample's mean colour as a 1x1 image (images differ in size; the fallback fills each shape)."""
    total = sum(im.reshape(-1, 3).astype(np.float64).sum(axis=0) for im in images)
    count = sum(im.shape[0] * im.shape[1] for im in images)
    return np.round(total / count).astype(np.uint8).reshape(1, 1, 3)


def _row(system: BSystem, snr_db: float, snr_def: str, **extra: Any) -> dict[str, Any]:
    return condition_row(
        experiment="B",
        system=system.name,
        codec=system.codec,
        condition=snr_point(snr_db),
        snr_db=snr_db,
        snr_def=snr_def,
        **extra,
    )


def ldpc_transmit(
    system: BSystem,
    snr_db: float,
    images: dict[str, np.ndarray],
    cfg: dict[str, Any],
    seeds: dict[str, int],
    device: str,
) -> Results:
    """Digital: codec file -> 5G LDPC -> modulation -> AWGN -> back; undecodable -> fallback.

    ``seeds[image_id]`` is that image's noise seed.
    """
    from semcom_channels import DigitalLink, bpp_budget, modulation_for_snr
    from semcom_codecs.registry import build_codec
    from semcom_codecs.safe import safe_decode

    cfg_b = cfg["experiments"]["B"]
    fallback = cfg["decode_failure"]
    mod = (
        modulation_for_snr(snr_db, cfg_b["schedule"])
        if system.modulation == "adaptive"
        else system.modulation
    )
    rate = system.code_rate
    budget = bpp_budget(cfg_b["channel_uses_per_pixel"], mod, rate)
    codec = build_codec(system.codec, **cfg["codecs"].get(system.codec, {}))
    link = DigitalLink(
        modulation=mod, code_rate=rate, snr_def=cfg_b["snr_def"], device=device, progress=False
    )
    ids = sorted(images)
    mean = mean_image(list(images.values()))
    # Images in chunks through encode -> LDPC + channel -> decode (one at a time on the CPU,
    # 16 per decoder call on CUDA, where batching pays): the bar counts images during
    # decoding too. Each file has its own seed and block layout, so chunking never changes
    # a result.
    chunk = 16 if str(device).startswith("cuda") else 1
    bar = tqdm(
        total=len(ids), desc=f"{system.name} {snr_db:g} dB", unit="image", dynamic_ncols=True
    )
    sent: dict[str, tuple[Any, bytes, Any]] = {}
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        encoded = {i: codec.encode(images[i], budget) for i in part}
        results = link.transmit_batch(
            [encoded[i].data for i in part], snr_db, seeds=[seeds[i] for i in part]
        )
        for i, (payload, rec) in zip(part, results):
            sent[i] = (encoded[i], payload, rec)
        bar.update(len(part))
    bar.close()
    out: Results = {}
    for i in ids:
        im = images[i]
        encoded_i, payload, rec = sent[i]
        dec = safe_decode(codec, payload, im.shape, fallback=fallback, mean_image=mean)
        row = _row(
            system,
            snr_db,
            cfg_b["snr_def"],
            modulation=mod,
            target_bpp=budget,
            achieved_bpp=encoded_i.achieved_bpp,
            decode_failed=dec.decode_failed,
        )
        details = {
            "link": rec.to_dict(),
            "decode": dec.record(),
            "encode": encoded_i.record(),
            **codec.describe(),
        }
        out[i] = (dec.image, row, details)
    return out


def analog_transmit(
    system: BSystem,
    snr_db: float,
    images: dict[str, np.ndarray],
    cfg: dict[str, Any],
    seeds: dict[str, int],
    device: str,
) -> Results:
    """Learned JSCC: the encoder's symbols -> AWGN -> the decoder (``seeds`` per image id)."""
    from semcom_channels import AnalogLink
    from semcom_codecs.registry import build_codec

    cfg_b = cfg["experiments"]["B"]
    codec_mode = "16qam" if system.modulation == "qam16" else "analog"
    options = cfg["codecs"].get(system.codec, {})
    # an analog codec (DeepJSCC's interface: rate_for_channel_uses / encode_symbols / decode_symbols)
    codec: Any = build_codec(system.codec, **{"mode": codec_mode, "device": device, **options})
    # qam16: the codec already emits constellation points; the link's energy reference is
    # the unit-energy constellation. analog: the codec normalises each image to power 1.
    link = AnalogLink(mode=system.modulation, snr_def="Es/N0", device=device)
    cpp = cfg_b["channel_uses_per_pixel"]
    out: Results = {}
    bar = tqdm(
        sorted(images), desc=f"{system.name} {snr_db:g} dB", unit="image", dynamic_ncols=True
    )
    for i in bar:
        im = images[i]
        rate = codec.rate_for_channel_uses(cpp, im.shape)
        sym = codec.encode_symbols(im, k=rate["k"])
        received, rec = link.transmit(sym, snr_db, seed=seeds[i])
        decoded = codec.decode_symbols(received, im.shape)
        row = _row(
            system,
            snr_db,
            "Es/N0",
            modulation=system.modulation,
            target_bpp=rate["bpp"],
            achieved_bpp=rate["bpp"],
            decode_failed=False,
        )
        out[i] = (decoded, row, {"link": rec.to_dict(), "rate": rate, **codec.describe()})
    return out


def transmit_shard(
    system_name: str,
    snr_db: float,
    originals: dict[str, str],
    out_dir: str | Path,
    cfg: dict[str, Any],
    device: str = "cpu",
) -> None:
    """Send every original through ``system_name`` at ``snr_db``; write ``<id>.png`` and ``<id>.json``."""
    systems = b_systems(cfg["experiments"]["B"])
    if system_name not in systems:
        raise KeyError(
            f"experiment B: no system '{system_name}' in experiments.B.systems "
            f"(configured: {', '.join(systems)})"
        )
    system = systems[system_name]
    images = {i: load_rgb(p) for i, p in originals.items()}
    # one noise seed per (experiment, grid point, image id): an image's received version
    # does not depend on the other images of the shard or on sample.count
    seeds = {i: derive_seed(cfg["seed"], "B", system_name, f"{snr_db:g}", i) for i in images}
    results = system.spec.function()(system, snr_db, images, cfg, seeds, device)
    out = Path(out_dir)
    for i, (image, row, details) in results.items():
        skip = image is None
        save_png(out / f"{i}.png", image if not skip else np.zeros_like(images[i]))
        write_json(out / f"{i}.json", {"row": row, "skip": skip, "details": details})
        log.info("%s %s: %s", system_name, i, row)
