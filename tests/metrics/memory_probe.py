"""Child process of test_memory.py: score one large synthetic pair, print value and peak RSS.

argv: metric height width. Prints JSON ``{"value", "peak_mb", "import_mb", "seconds"}``; the
peak is ``ru_maxrss`` of this process (imports and both uint8 images included), ``import_mb``
the peak after the imports and a first small pair, before the large images exist.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np
import torch  # noqa: F401 - counted in import_mb, as any metric imports it

from semcom_metrics.registry import build_metric


def pair(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """A smooth gradient image and a noisy copy (seeded), built row band by row band so that
    making them costs no more than the two uint8 arrays."""
    rng = np.random.default_rng(0)
    ref = np.empty((h, w, 3), np.uint8)
    test = np.empty((h, w, 3), np.uint8)
    x = np.arange(w, dtype=np.int32)[None, :]
    for y0 in range(0, h, 256):
        y = np.arange(y0, min(y0 + 256, h), dtype=np.int32)[:, None]
        for c in range(3):
            band = ((x * 255 // w + y * 255 // h) // 2 + 40 * c) % 256
            noise = rng.integers(-12, 13, size=band.shape, dtype=np.int32)
            ref[y0 : y0 + len(y), :, c] = band
            test[y0 : y0 + len(y), :, c] = np.clip(band + noise, 0, 255)
    return ref, test


def main() -> None:
    name, h, w = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    metric = build_metric(name)
    metric.score(*pair(256, 256))  # every import and lazy set-up done before the baseline
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ref, test = pair(h, w)
    t0 = time.perf_counter()
    value = metric.score(ref, test)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {"value": value, "peak_mb": peak_mb, "import_mb": baseline_mb, "seconds": seconds}
        )
    )


if __name__ == "__main__":
    main()
