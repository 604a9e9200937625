"""How much sess-lite's regions move under a change no viewer sees (issue 13).

    .venv/bin/python benchmarks/segment_stability.py [--bpp 2.0] [--side 320]

For each bundled photograph and its JPEG copy at ``--bpp``, prints the adapted Rand
index (1 = the same partition; scikit-image ``adapted_rand_error``) of the
over-segmentation (SLIC, as ``ObjectSegmenter`` runs it, against Felzenszwalb at the
scale the previous sess-lite used) and of the final regions (``ObjectSegmenter``
against the same merging started from Felzenszwalb).
"""

from __future__ import annotations

import argparse

import numpy as np
from skimage.metrics import adapted_rand_error
from skimage.segmentation import felzenszwalb

from seess.offline_segment import ObjectSegmenter
from semcom_codecs import build_codec
from semcom_pipeline.sample import load_original, select_images


class _FelzenszwalbStart(ObjectSegmenter):
    """``ObjectSegmenter`` with Felzenszwalb (scale 60, the previous sess-lite's) as step 1."""

    def oversegment(self, x: np.ndarray) -> np.ndarray:
        return _felzenszwalb(x, self.min_area)


def _felzenszwalb(x: np.ndarray, min_area: float) -> np.ndarray:
    min_size = max(2, round(0.25 * min_area * x.shape[0] * x.shape[1]))
    return felzenszwalb(x, scale=60.0, sigma=0.0, min_size=min_size)


def _ari(a: np.ndarray, b: np.ndarray) -> float:
    return 1.0 - adapted_rand_error(a + 1, b + 1)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bpp", type=float, default=2.0)
    ap.add_argument("--side", type=int, default=320)
    a = ap.parse_args()
    codec = build_codec("jpeg")
    seg, fz = ObjectSegmenter(), _FelzenszwalbStart()
    print(
        "image       over-segmentation ARI (SLIC / Felzenszwalb)   regions ARI (objects / fz start)"
    )
    for name in sorted(select_images({"source": "bundled", "count": 7}, 0)):
        img = load_original(f"bundled:{name}", a.side)
        jpeg = codec.decode(codec.encode(img, a.bpp).data, img.shape)
        x0, x1 = seg.prepare(img), seg.prepare(jpeg)
        s = _ari(seg.oversegment(x0), seg.oversegment(x1))
        f = _ari(_felzenszwalb(x0, seg.min_area), _felzenszwalb(x1, seg.min_area))
        o = _ari(seg.labels(img), seg.labels(jpeg))
        of = _ari(fz.labels(img), fz.labels(jpeg))
        print(f"{name:11s} {s:.3f} / {f:.3f}{'':28s} {o:.3f} / {of:.3f}")


if __name__ == "__main__":
    main()
