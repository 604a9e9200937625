"""Codec benchmark on the bundled images (longer side 256): speed ratios and the JSCC-vs-JPEG table.

Run: ``.venv/bin/python benchmarks/bench_codecs.py``. Prints, measured in one run:
1. encode time per image (rate search included) of JPEG and JPEG2000 at 0.5 bpp, and their ratio;
2. the cost of the guarded decode (child process) relative to a plain in-process decode;
3. PSNR of the shipped DeepJSCC checkpoint (noiseless and over AWGN) against JPEG / JPEG2000
   at the JSCC's rates.
"""

from __future__ import annotations

import time

import numpy as np

from semcom_codecs.registry import build_codec
from semcom_codecs.safe import safe_decode, shutdown_worker
from semcom_core.bundled import BUNDLED, load_bundled
from semcom_core.imageio import resize_longer_side


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / mse))


def timed(fn, reps: int = 1) -> float:
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps


def main() -> None:
    imgs = {n: resize_longer_side(load_bundled(n), 256) for n in BUNDLED}
    jpeg, j2k = build_codec("jpeg"), build_codec("jpeg2000")

    t_jpeg = np.mean([timed(lambda im=im: jpeg.encode(im, 0.5)) for im in imgs.values()])
    t_j2k = np.mean([timed(lambda im=im: j2k.encode(im, 0.5)) for im in imgs.values()])
    print(
        f"encode @0.5 bpp: JPEG {t_jpeg * 1e3:.1f} ms, JPEG2000 {t_j2k * 1e3:.1f} ms "
        f"(ratio {t_j2k / t_jpeg:.1f}x)"
    )

    for codec in (jpeg, j2k):
        im = imgs["astronaut"]
        data = codec.encode(im, 0.5).data
        safe_decode(codec, data, im.shape)  # start the worker
        plain = timed(lambda c=codec, d=data, s=im.shape: c.decode(d, s), 20)
        guarded = timed(lambda c=codec, d=data, s=im.shape: safe_decode(c, d, s), 20)
        print(
            f"decode {codec.name}: in-process {plain * 1e3:.2f} ms, guarded {guarded * 1e3:.2f} ms "
            f"(ratio {guarded / plain:.1f}x)"
        )
    shutdown_worker()

    jscc = build_codec("deepjscc", device="cpu")
    print(
        f"\nDeepJSCC checkpoint {jscc.describe()['checkpoint']}; mean PSNR over {len(imgs)} images"
    )
    print(
        f"{'k':>2} {'bpp':>6} {'jscc':>6} {'jscc@5dB':>8} {'jscc@15dB':>9} {'jpeg':>6} "
        f"{'jpeg_bpp':>8} {'j2k':>6}"
    )
    import torch

    from semcom_core.phy import esno_db_to_no, seeded_awgn

    for k in range(1, jscc.model.max_symbols + 1):
        row = {"bpp": [], "jscc": [], "n5": [], "n15": [], "jpeg": [], "jpeg_bpp": [], "j2k": []}
        for i, im in enumerate(imgs.values()):
            e = jscc.encode(im, jscc.bpp_for(k, im.shape))
            row["bpp"].append(e.achieved_bpp)
            row["jscc"].append(psnr(jscc.decode(e.data, im.shape), im))
            sym = torch.from_numpy(jscc.encode_symbols(im, k=k))[None]
            for snr, key in ((5.0, "n5"), (15.0, "n15")):
                y = seeded_awgn("cpu", i)(sym, esno_db_to_no(snr))[0].numpy()
                row[key].append(psnr(jscc.decode_symbols(y, im.shape), im))
            ej = jpeg.encode(im, e.achieved_bpp)
            row["jpeg"].append(psnr(jpeg.decode(ej.data, im.shape), im))
            row["jpeg_bpp"].append(ej.achieved_bpp)
            ek = j2k.encode(im, e.achieved_bpp)
            row["j2k"].append(psnr(j2k.decode(ek.data, im.shape), im))
        m = {key: float(np.mean(v)) for key, v in row.items()}
        print(
            f"{k:>2} {m['bpp']:6.3f} {m['jscc']:6.2f} {m['n5']:8.2f} {m['n15']:9.2f} "
            f"{m['jpeg']:6.2f} {m['jpeg_bpp']:8.3f} {m['j2k']:6.2f}"
        )
    print("(jpeg_bpp > bpp where JPEG cannot go that low: its smallest file is used)")


if __name__ == "__main__":
    main()
