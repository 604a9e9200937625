"""Node importance (spec section 2; the paper's eq. 24-25, demo ``get_semantic_imp``).

Two pure functions:

* :func:`spectral_residual_saliency` -- the pixel importance map of an image
  (Hou & Zhang, CVPR 2007), computed by OpenCV's own
  ``cv2.saliency.StaticSaliencySpectralResidual`` (``opencv-contrib-python``),
  exactly as the authors' demo calls it.
* :func:`node_importance` / :func:`node_importance_parts` -- the importance of
  each scene-graph node from the saliency mass under its mask and the relation
  scores of its edges.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seess.scene import check_edges

__all__ = [
    "SALIENCY_NAME",
    "node_importance",
    "node_importance_parts",
    "saliency_mass",
    "spectral_residual_saliency",
]

#: Name of the saliency implementation, recorded in every graph's provenance.
SALIENCY_NAME = "opencv-static-saliency-spectral-residual"


def _saliency_model():
    """OpenCV's spectral-residual saliency object (contrib module), with an install hint."""
    try:
        import cv2
    except ImportError:  # pragma: no cover - a declared dependency
        raise ImportError(
            "node importance needs OpenCV's contrib modules: pip install opencv-contrib-python-headless"
        ) from None
    if not hasattr(cv2, "saliency"):  # pragma: no cover - plain opencv-python installed
        raise ImportError(
            "cv2.saliency is missing: the installed OpenCV lacks the contrib modules; "
            "pip uninstall opencv-python opencv-python-headless && "
            "pip install opencv-contrib-python-headless"
        )
    return cv2.saliency.StaticSaliencySpectralResidual_create()


def spectral_residual_saliency(image: np.ndarray) -> np.ndarray:
    """Spectral-residual saliency map of an RGB image, computed by OpenCV.

    Parameters
    ----------
    image: ``(H, W, 3)`` uint8 RGB.

    Returns
    -------
    ``(H, W)`` float64 in [0, 1]: OpenCV's float32 map, widened (not rounded).

    Notes
    -----
    The map is ``cv2.saliency.StaticSaliencySpectralResidual().computeSaliency``
    of the image in OpenCV's BGR channel order, which is what the authors' demo
    computes on ``cv2.imread(path)``. OpenCV's steps: ``COLOR_BGR2GRAY``
    (fixed-point weights 0.299 / 0.587 / 0.114), ``INTER_LINEAR_EXACT`` resize to
    64 x 64, DFT, log amplitude minus its 3 x 3 box mean, back through the inverse
    DFT with the original phase, magnitude, Gaussian blur (5 x 5, sigma 8),
    squared, divided by its maximum, ``INTER_LINEAR`` resize to ``(H, W)``.
    Non-finite values (none seen; a guard) become 0.

    Example
    -------
    >>> img = np.zeros((32, 32, 3), np.uint8); img[12:20, 12:20] = 255
    >>> s = spectral_residual_saliency(img)
    >>> s.shape, float(s.max()) <= 1.0
    ((32, 32), True)
    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f"saliency needs a numpy array, got {type(image).__name__}")
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(
            f"saliency needs an (H, W, 3) uint8 RGB image, got {image.dtype} {image.shape}"
        )
    h, w = image.shape[:2]
    if h < 1 or w < 1:
        raise ValueError(f"saliency needs a non-empty image, got shape {image.shape}")
    bgr = np.ascontiguousarray(image[..., ::-1])
    ok, sal = _saliency_model().computeSaliency(bgr)
    if not ok or sal is None:
        raise RuntimeError(f"OpenCV spectral-residual saliency failed on an image of {image.shape}")
    out = np.asarray(sal, dtype=np.float64).reshape(h, w)
    out[~np.isfinite(out)] = 0.0
    return np.clip(out, 0.0, 1.0)


def saliency_mass(saliency: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Sum of a saliency map under each mask.

    ``saliency``: (H, W) float; ``masks``: (n, H, W) bool. Returns (n,) float64.
    """
    saliency = np.asarray(saliency, dtype=np.float64)
    masks = np.asarray(masks)
    if masks.ndim != 3 or masks.shape[1:] != saliency.shape:
        raise ValueError(f"masks {masks.shape} do not match the saliency map {saliency.shape}")
    return masks.reshape(masks.shape[0], -1).astype(np.float64) @ saliency.ravel()


def _check_importance_inputs(
    mass: np.ndarray, edges: np.ndarray, scores: np.ndarray, k1: float, k2: float, k3: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mass = np.asarray(mass, dtype=np.float64)
    if mass.ndim != 1 or mass.size < 1:
        raise ValueError(f"saliency_mass must be a non-empty 1-D array, got shape {mass.shape}")
    if not np.all(np.isfinite(mass)) or np.any(mass < 0):
        raise ValueError("saliency_mass must be finite and >= 0")
    n = mass.shape[0]
    ends = check_edges(edges, n)[:, :2]
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if scores.shape[0] != ends.shape[0]:
        raise ValueError(f"{ends.shape[0]} edges but {scores.shape[0]} edge scores")
    if not np.all(np.isfinite(scores)):
        raise ValueError("edge scores must be finite")
    if not (k1 > 0 and k2 > 0 and 0.0 <= k3 <= 1.0):
        raise ValueError(f"need k1 > 0, k2 > 0, 0 <= k3 <= 1; got k1={k1}, k2={k2}, k3={k3}")
    return mass, ends, scores


def node_importance_parts(
    saliency_mass: np.ndarray,
    edges: np.ndarray,
    edge_scores: np.ndarray,
    k1: float,
    k2: float,
    k3: float,
) -> dict[str, Any]:
    """Node importance and its two parts (for the explanation).

    Parameters
    ----------
    saliency_mass: ``(n,)`` float >= 0, saliency summed over each node's mask.
    edges: ``(m, 3)`` int (subject, object, predicate); only the endpoints matter.
    edge_scores: ``(m,)`` float relation scores; edges with score <= 0 are ignored.
    k1, k2, k3: exponents and mixing weight (spec section 2).

    Returns
    -------
    dict with ``semantic`` (n,), ``relation`` (n,) (all zeros when there is no
    relation signal), ``relation_fallback`` (bool: True when the relation part
    was all zero and the importance is the semantic part alone) and
    ``importance`` (n,) float64 summing to 1.

    Notes
    -----
    semantic_i = mass_i ** (1/k1), normalised (uniform if every mass is 0).
    Each edge (i, j) with score w > 0 adds ``w * sem_i / (sem_i + sem_j)`` to
    relation_i and ``w * sem_j / (sem_i + sem_j)`` to relation_j (``w / 2``
    each when both semantic parts are 0, where the demo would produce NaN);
    relation_i ** (1/k2), normalised. importance = k3 * semantic + (1 - k3) *
    relation, normalised. A single node has importance 1.
    """
    mass, ends, scores = _check_importance_inputs(saliency_mass, edges, edge_scores, k1, k2, k3)
    n = mass.shape[0]
    if n == 1:
        one = np.ones(1)
        return {
            "semantic": one,
            "relation": np.zeros(1),
            "relation_fallback": True,
            "importance": one.copy(),
        }

    sem = mass ** (1.0 / k1)
    total = sem.sum()
    sem = sem / total if total > 0 else np.full(n, 1.0 / n)

    keep = (scores > 0) & (ends[:, 0] != ends[:, 1])
    i, j, w = ends[keep, 0], ends[keep, 1], scores[keep]
    denom = sem[i] + sem[j]
    safe = denom > 0
    safe_denom = np.where(safe, denom, 1.0)
    share_i = np.where(safe, sem[i] / safe_denom, 0.5)
    share_j = np.where(safe, sem[j] / safe_denom, 0.5)
    rel = np.zeros(n)
    np.add.at(rel, i, w * share_i)
    np.add.at(rel, j, w * share_j)
    rel = rel ** (1.0 / k2)
    rel_total = rel.sum()
    if rel_total > 0:
        rel = rel / rel_total
        imp = k3 * sem + (1.0 - k3) * rel
        imp = imp / imp.sum()
        fallback = False
    else:
        rel = np.zeros(n)
        imp = sem.copy()
        fallback = True
    return {"semantic": sem, "relation": rel, "relation_fallback": fallback, "importance": imp}


def node_importance(
    saliency_mass: np.ndarray,
    edges: np.ndarray,
    edge_scores: np.ndarray,
    k1: float,
    k2: float,
    k3: float,
) -> np.ndarray:
    """Node importance ``(n,)`` float64 summing to 1 (see :func:`node_importance_parts`).

    Example
    -------
    >>> imp = node_importance(np.array([4.0, 1.0]), np.array([[0, 1, 3]]), np.array([0.5]),
    ...                       2.25, 3.0, 0.8)
    >>> round(float(imp.sum()), 12)
    1.0
    """
    return node_importance_parts(saliency_mass, edges, edge_scores, k1, k2, k3)["importance"]
