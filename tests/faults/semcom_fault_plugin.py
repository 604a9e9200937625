"""A test-only metric plugin (loaded through ``SEMCOM_PLUGINS=semcom_fault_plugin``).

``fail_on_image`` scores like PSNR but raises for a test image whose content hash
(:func:`seess.graph.image_hash`) is in its option ``image_sha``: a metric that throws on one
image, for the fault-injection tests.
"""

from __future__ import annotations

from typing import Any

from seess.graph import image_hash
from semcom_metrics.pixel import PSNR
from semcom_metrics.registry import register_metric


class FailOnImage(PSNR):
    name = "fail_on_image"

    def __init__(self, *, image_sha: list[str] | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.image_sha = set(image_sha or [])

    def _score_pairs(self, pairs):
        for _, test in pairs:
            if image_hash(test) in self.image_sha:
                raise RuntimeError("injected failure (tests/faults/semcom_fault_plugin.py)")
        return super()._score_pairs(pairs)


register_metric("fail_on_image", f"{__name__}:FailOnImage")
