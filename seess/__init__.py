"""SeSS: Semantic Similarity Score of images (scene graphs, CLIP, graph matching).

>>> from seess import SeSS                                # doctest: +SKIP
>>> m = SeSS(backend="sess-lite", preset="paper", device="cpu")  # doctest: +SKIP
>>> m.score(img_a, img_b).score                            # doctest: +SKIP

Names are imported lazily, so ``import seess`` stays light (no torch).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SceneGraph",
    "SeSS",
    "SeSSResult",
    "build_graph",
    "get_preset",
    "load_graph",
    "save_graph",
]

_LAZY = {
    "SeSS": "seess.api",
    "SceneGraph": "seess.scene",
    "SeSSResult": "seess.score",
    "build_graph": "seess.graph",
    "load_graph": "seess.graph",
    "save_graph": "seess.graph",
    "get_preset": "seess.presets",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'seess' has no attribute {name!r}")
