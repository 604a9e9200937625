"""Saving a figure: PNG (150 dpi) and PDF, each written atomically (following the umask)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from semcom_core.fsutil import atomic_path

__all__ = ["save_figure"]


def save_figure(fig: Any, stem: str | os.PathLike, close: bool = True) -> list[Path]:
    """Save matplotlib figure ``fig`` as ``stem.png`` (150 dpi) and ``stem.pdf``, atomically;
    close it unless ``close`` is false. Returns the two paths."""
    out = []
    for ext in ("png", "pdf"):
        path = Path(f"{stem}.{ext}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, dpi=150, bbox_inches="tight")
        out.append(path)
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return out
