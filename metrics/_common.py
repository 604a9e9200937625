"""Small helpers shared by the baseline metrics: batching by size, provenance, tensors.

Everything here is a pure function on arrays; no model is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib import metadata

import numpy as np

from semcom_core.imageio import ImageError

__all__ = [
    "batches_by_shape",
    "hf_requirement",
    "package_versions",
    "require_min_side",
    "to_tensor_255",
]


def package_versions(*dists: str) -> dict[str, str]:
    """``{distribution: version}`` of installed distributions (``"missing"`` when absent)."""
    out = {}
    for d in dists:
        try:
            out[d] = metadata.version(d)
        except metadata.PackageNotFoundError:
            out[d] = "missing"
    return out


def batches_by_shape(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]], batch_size: int
) -> Iterator[tuple[list[int], list[np.ndarray], list[np.ndarray]]]:
    """Group pairs of equal image shape into batches of at most ``batch_size``.

    Yields ``(indices, refs, tests)`` where ``indices`` are positions in
    ``pairs``; every image of one batch has the same ``(H, W, 3)`` shape, so
    the batch stacks into one tensor. Order inside a group is kept.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, (ref, _) in enumerate(pairs):
        groups.setdefault(ref.shape, []).append(i)
    for idx in groups.values():
        for s in range(0, len(idx), batch_size):
            chunk = idx[s : s + batch_size]
            yield chunk, [pairs[i][0] for i in chunk], [pairs[i][1] for i in chunk]


def to_tensor_255(images: Sequence[np.ndarray], device: str = "cpu", dtype=None):
    """Stack uint8 ``(H, W, 3)`` images into an ``(N, 3, H, W)`` tensor with values in [0, 255].

    ``dtype`` defaults to ``torch.float64`` (exact for pixel metrics).
    """
    import torch

    arr = np.stack(images)
    t = torch.from_numpy(arr).permute(0, 3, 1, 2).contiguous()
    return t.to(device=device, dtype=dtype or torch.float64)


def require_min_side(image: np.ndarray, minimum: int, metric: str, why: str) -> None:
    """Raise :class:`ImageError` when the shorter side of ``image`` is below ``minimum`` px."""
    h, w = image.shape[:2]
    if min(h, w) < minimum:
        raise ImageError(
            f"{metric}: image of {w}x{h} px is too small; the shorter side must be at least "
            f"{minimum} px ({why})"
        )


def hf_requirement(
    repo_id: str,
    filenames: Sequence[str],
    *,
    name: str,
    config_key: str,
    fetch,
    cache_dir: str | None = None,
):
    """A :class:`~semcom_core.weights.Requirement` for weights held in the Hugging Face hub cache.

    ``is_present`` looks in the local cache only (``try_to_load_from_cache``),
    never the network; ``fetch`` is the library's own loader, which fills the cache.
    """
    from pathlib import Path

    from semcom_core.weights import Requirement

    def is_present() -> bool:
        from huggingface_hub import try_to_load_from_cache

        return any(
            isinstance(try_to_load_from_cache(repo_id, f, cache_dir=cache_dir), str)
            for f in filenames
        )

    from huggingface_hub import constants

    base = Path(cache_dir) if cache_dir else Path(constants.HF_HUB_CACHE)
    return Requirement(
        name=name,
        config_key=config_key,
        location=str(base / ("models--" + repo_id.replace("/", "--"))),
        source=f"https://huggingface.co/{repo_id}",
        is_present=is_present,
        fetch=fetch,
    )
