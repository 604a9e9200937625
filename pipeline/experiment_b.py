"""Experiment B: images through a channel at a grid of SNRs, at a fixed channel-use budget.

Two kinds of system share one AWGN model and one SNR definition:

- digital ``<codec>+ldpc-<modulation|adaptive>``: the source codec is given the
  bpp the link can carry, ``bpp = channel_uses_per_pixel x bits_per_symbol x code_rate``;
  its file goes through 5G LDPC + the modulation over AWGN; a file that does not
  decode yields the configured fallback image and ``decode_failed``.
- learned ``<codec>-<mode>``: the JSCC encoder's symbols (``channel_uses_per_pixel``
  of them per pixel) go through the same AWGN, the decoder reads the noisy symbols.

A shard (one system, one SNR) transmits all images in one batched call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from semcom_core.imageio import load_rgb, save_png
from semcom_core.seeds import derive_seed
from semcom_pipeline.records import write_json

__all__ = ["BSystem", "mean_image", "parse_system", "transmit_shard"]

log = logging.getLogger(__name__)

MODULATIONS = ("bpsk", "qpsk", "16qam", "64qam")


@dataclass(frozen=True)
class BSystem:
    name: str
    kind: str  # digital | learned
    codec: str
    modulation: str  # bpsk..64qam | adaptive (digital); analog | qam16 (learned)


def parse_system(name: str, cfg_b: dict[str, Any]) -> BSystem:
    """``jpeg2000+ldpc-adaptive`` / ``jpeg2000+ldpc-qpsk`` / ``deepjscc-qam16`` -> :class:`BSystem`."""
    if "+ldpc-" in name:
        codec, mod = name.split("+ldpc-", 1)
        if mod != "adaptive" and mod not in MODULATIONS:
            raise ValueError(f"experiment B: unknown modulation '{mod}' in system '{name}'")
        return BSystem(name, "digital", codec, mod)
    codec, _, mode = name.rpartition("-")
    if codec != cfg_b["learned_codec"] or mode not in ("analog", "qam16"):
        raise ValueError(f"experiment B: unknown system '{name}'")
    return BSystem(name, "learned", codec, mode)


def mean_image(images: list[np.ndarray]) -> np.ndarray:
    """The sample's mean colour as a 1x1 image (images differ in size; the fallback fills each shape)."""
    total = sum(im.reshape(-1, 3).astype(np.float64).sum(axis=0) for im in images)
    count = sum(im.shape[0] * im.shape[1] for im in images)
    return np.round(total / count).astype(np.uint8).reshape(1, 1, 3)


def _row(system: BSystem, snr_db: float, snr_def: str, **extra: Any) -> dict[str, Any]:
    return {
        "experiment": "B",
        "system": system.name,
        "codec": system.codec,
        "condition": f"snr={snr_db:g}dB",
        "snr_db": snr_db,
        "snr_def": snr_def,
        **extra,
    }


def _digital(system, snr_db, images, cfg_b, codec_options, fallback, seeds, device):
    from semcom_channels import DigitalLink, bpp_budget, modulation_for_snr
    from semcom_codecs.registry import build_codec
    from semcom_codecs.safe import safe_decode

    mod = (
        modulation_for_snr(snr_db, cfg_b["schedule"])
        if system.modulation == "adaptive"
        else system.modulation
    )
    rate = cfg_b["code_rate"]
    budget = bpp_budget(cfg_b["channel_uses_per_pixel"], mod, rate)
    codec = build_codec(system.codec, **codec_options)
    link = DigitalLink(
        modulation=mod, code_rate=rate, snr_def=cfg_b["snr_def"], device=device, progress=False
    )
    ids = sorted(images)
    mean = mean_image(list(images.values()))
    out = {}
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


def _learned(system, snr_db, images, cfg_b, codec_options, seeds, device):
    from semcom_channels import AnalogLink
    from semcom_codecs.registry import build_codec

    codec_mode = "16qam" if system.modulation == "qam16" else "analog"
    codec = build_codec(system.codec, **{"mode": codec_mode, "device": device, **codec_options})
    # qam16: the codec already emits constellation points; the link's energy reference is
    # the unit-energy constellation. analog: the codec normalises each image to power 1.
    link = AnalogLink(mode=system.modulation, snr_def="Es/N0", device=device)
    cpp = cfg_b["channel_uses_per_pixel"]
    out = {}
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
    cfg_b = cfg["experiments"]["B"]
    system = parse_system(system_name, cfg_b)
    images = {i: load_rgb(p) for i, p in originals.items()}
    # one noise seed per (experiment, grid point, image id): an image's received version
    # does not depend on the other images of the shard or on sample.count
    seeds = {i: derive_seed(cfg["seed"], "B", system_name, f"{snr_db:g}", i) for i in images}
    options = cfg["codecs"].get(system.codec, {})
    if system.kind == "digital":
        results = _digital(
            system, snr_db, images, cfg_b, options, cfg["decode_failure"], seeds, device
        )
    else:
        results = _learned(system, snr_db, images, cfg_b, options, seeds, device)
    out = Path(out_dir)
    for i, (image, row, details) in results.items():
        skip = image is None
        save_png(out / f"{i}.png", image if not skip else np.zeros_like(images[i]))
        write_json(out / f"{i}.json", {"row": row, "skip": skip, "details": details})
        log.info("%s %s: %s", system_name, i, row)
