"""The metric interface shared by SeSS and the baseline metrics.

A metric compares a reference image with a test image. Inputs are always
``(ref, test)``, each an ``(H, W, 3)`` uint8 RGB array (values 0..255); any
conversion to the range a library expects happens inside the metric, in one
documented place. Sizes must match unless the metric is built with
``resize=True``.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from semcom_core.imageio import ImageError, to_rgb_uint8
from semcom_core.weights import Requirement

__all__ = ["Metric", "check_pair", "resize_to"]


def resize_to(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bicubic resize of a uint8 RGB image to ``(H, W)``."""
    from PIL import Image

    h, w = shape
    if image.shape[:2] == (h, w):
        return image
    return np.asarray(Image.fromarray(image).resize((w, h), Image.Resampling.BICUBIC))


def check_pair(
    ref: np.ndarray, test: np.ndarray, *, resize: bool = False, metric: str = "metric"
) -> tuple[np.ndarray, np.ndarray]:
    """Validate and normalise one ``(ref, test)`` pair to uint8 RGB of equal size.

    A size mismatch is an error unless ``resize`` is true, in which case
    ``test`` is resized (bicubic) to the size of ``ref``.
    """
    r = to_rgb_uint8(ref, name=f"{metric}: reference image")
    t = to_rgb_uint8(test, name=f"{metric}: test image")
    if r.shape != t.shape:
        if not resize:
            raise ImageError(
                f"{metric}: image sizes differ (reference {r.shape[1]}x{r.shape[0]}, "
                f"test {t.shape[1]}x{t.shape[0]}); resize them first or build the "
                "metric with resize=True"
            )
        t = resize_to(t, r.shape[:2])
    return r, t


class Metric(abc.ABC):
    """A full-reference image metric.

    Subclasses set the class attributes and implement :meth:`_score_pairs`.

    Attributes
    ----------
    name: registry name (``psnr``, ``seess``...), used in config and CSV files.
    higher_is_better: direction, used by plots and summaries.
    value_range: ``(low, high)`` bounds of the value (``inf`` allowed).
    unit: unit for axis labels (``dB`` for PSNR, empty otherwise).
    display_name: the name in figure labels and legends (``MS-SSIM``); default ``name``.
    backend_in_label: figure axes name the backend (``describe()["backend"]``) too, for a
        metric whose backends give different values (SeSS: ``sess`` vs ``sess-lite``).
    """

    name: ClassVar[str]
    display_name: ClassVar[str] = ""
    backend_in_label: ClassVar[bool] = False
    higher_is_better: ClassVar[bool] = True
    value_range: ClassVar[tuple[float, float]] = (0.0, 1.0)
    unit: ClassVar[str] = ""

    def __init__(self, *, device: str = "cpu", resize: bool = False, **options: Any) -> None:
        self.device = device
        self.resize = resize
        if options:
            raise TypeError(f"{self.name}: unknown option(s) {sorted(options)}")

    @classmethod
    def known_options(cls) -> list[str]:
        """Every keyword option the constructor accepts (sorted), read from the ``__init__``
        signatures along the class hierarchy until one takes no ``**options``."""
        import inspect

        names: set[str] = set()
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None:
                continue
            params = inspect.signature(init).parameters.values()
            names |= {
                p.name
                for p in params
                if p.name != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
            }
            if not any(p.kind is p.VAR_KEYWORD for p in params):
                break
        return sorted(names)

    def score(self, ref: np.ndarray, test: np.ndarray) -> float:
        """The metric value of one pair."""
        return self.score_batch([ref], [test])[0]

    def score_batch(self, refs: Sequence[np.ndarray], tests: Sequence[np.ndarray]) -> list[float]:
        """The metric value of each pair ``(refs[i], tests[i])``."""
        if len(refs) != len(tests):
            raise ValueError(
                f"{self.name}: {len(refs)} reference images but {len(tests)} test images"
            )
        pairs = [
            check_pair(r, t, resize=self.resize, metric=self.name) for r, t in zip(refs, tests)
        ]
        if not pairs:
            return []
        return [float(v) for v in self._score_pairs(pairs)]

    @abc.abstractmethod
    def _score_pairs(self, pairs: list[tuple[np.ndarray, np.ndarray]]) -> Sequence[float]:
        """Score validated uint8 RGB pairs of equal size."""

    def describe(self) -> dict[str, Any]:
        """Provenance for result tables: the metric name, backend and model."""
        return {"metric": self.name, "backend": type(self).__name__}

    def required_weights(self) -> list[Requirement]:
        """Pretrained files this metric (as configured) needs; none for pixel metrics.

        Must not load models or touch the network: ``semcom fetch-weights`` and
        the workflow's start-up check call it.
        """
        return []
