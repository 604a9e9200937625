"""SeSS hyper-parameters and the two named presets (spec section 7).

``paper``    the values of the paper's Table II, synchronous update (default).
``official`` the constants of the authors' demo code (gamma 0.05, k1 2.5,
             theta 0.2) *and* its update order: the demo aliases ``L`` and
             ``L_new`` after the first round, so rounds 2.. update ``L`` in
             place (row-major Gauss-Seidel). That is reproduced here as
             ``update="in_place"``; it makes the score depend on the order of
             the two images (2.6e-5 on one pair of the golden set), where
             ``paper`` is symmetric. It also builds graphs by the demo's rules:
             ``triplets="demo"`` (only the top 100 relation triplets are
             candidates, and the demo's loop keeps one fewer than it means to:
             at most 99) and ``resize="width"`` (shrink only images wider than
             800 px, to width 800, with Pillow's ``thumbnail``). Override them
             (``triplets="spec"``, ``resize="longer_side"``) to get the spec's
             graphs with the demo's constants.

The graph rules (``crop``, ``triplets``, ``resize``) are read by the graph
builder (:class:`seess.api.SeSS` copies them into its
:class:`seess.graph.GraphSettings`), not by the matching.

Example
-------
>>> from seess.presets import get_preset
>>> get_preset("paper").gamma
0.1
>>> get_preset("official", ite=3).update
'in_place'
"""

from __future__ import annotations

import numbers
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = [
    "CROP_MODES",
    "DEFAULT_PRESET",
    "PRESETS",
    "PRESET_FILE_FORMAT",
    "RESIZE_RULES",
    "TRIPLET_RULES",
    "UPDATE_MODES",
    "SeSSParams",
    "get_preset",
    "load_preset_file",
]

UPDATE_MODES = ("synchronous", "in_place")
CROP_MODES = ("bbox", "masked")
#: ``spec``: first ``top_k`` triplets, then more while their score >= ``min_score``
#: (spec 1.3); ``demo``: the authors' code (top-100 candidates, off-by-one).
TRIPLET_RULES = ("spec", "demo")
#: ``longer_side``: longer side <= 800 px (spec 1.1); ``width``: the demo's
#: ``thumbnail`` of images wider than 800 px (height unbounded).
RESIZE_RULES = ("longer_side", "width")


def _is_real(v: object) -> bool:
    """True for a real number (``numbers.Real``) that is not a bool.

    A plain bool (not a ``TypeGuard``) on purpose: ``numbers.Real`` declares only
    ``<``/``<=``, so a value narrowed to it cannot be compared as ``0.0 <= v``.
    """
    return not isinstance(v, bool) and isinstance(v, numbers.Real)


@dataclass(frozen=True)
class SeSSParams:
    """SeSS hyper-parameters (validated on construction).

    alpha: weight of the relation term in the neighbour matrix M, in [0, 1].
    beta: update rate per round, in [0, 1].
    gamma: weight of the whole-image CLIP score in the final score, in [0, 1].
    ite: number of update rounds, integer >= 0.
    k1: semantic-importance exponent (``mass ** (1 / k1)``), > 0.
    k2: relation-importance exponent, > 0.
    k3: weight of the semantic part in the node importance, in [0, 1].
    theta: weight of the location term in the initial similarity, in [0, 1].
    update: ``"synchronous"`` (paper) or ``"in_place"`` (demo's aliasing).
    crop: node crop for the embeddings, ``"bbox"`` or ``"masked"`` (used by
        the graph builder, not by the matching).
    triplets: triplet selection rule, ``"spec"`` or ``"demo"`` (graph builder).
    resize: working-resolution rule, ``"longer_side"`` or ``"width"`` (graph builder).
    """

    alpha: float
    beta: float
    gamma: float
    ite: int
    k1: float
    k2: float
    k3: float
    theta: float
    update: str = "synchronous"
    crop: str = "bbox"
    triplets: str = "spec"
    resize: str = "longer_side"

    def __post_init__(self) -> None:
        for name in ("alpha", "beta", "gamma", "k3", "theta"):
            v = getattr(self, name)
            if not _is_real(v) or not 0.0 <= v <= 1.0:
                raise ValueError(f"SeSS parameter {name!r} must be a number in [0, 1], got {v!r}")
        for name in ("k1", "k2"):
            v = getattr(self, name)
            if not _is_real(v) or not v > 0:
                raise ValueError(f"SeSS parameter {name!r} must be a number > 0, got {v!r}")
        ite = self.ite
        if isinstance(ite, bool) or not isinstance(ite, numbers.Integral) or ite < 0:
            raise ValueError(f"SeSS parameter 'ite' must be an integer >= 0, got {ite!r}")
        if self.update not in UPDATE_MODES:
            raise ValueError(
                f"SeSS parameter 'update' must be one of {UPDATE_MODES}, got {self.update!r}"
            )
        for name, allowed in (
            ("crop", CROP_MODES),
            ("triplets", TRIPLET_RULES),
            ("resize", RESIZE_RULES),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"SeSS parameter {name!r} must be one of {allowed}, got {getattr(self, name)!r}"
                )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict of the parameters."""
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, numbers.Integral) and not isinstance(v, bool):
                d[k] = int(v)
            elif isinstance(v, numbers.Real):
                d[k] = float(v)
        return d


PRESETS: dict[str, SeSSParams] = {
    "paper": SeSSParams(
        alpha=0.25,
        beta=0.05,
        gamma=0.10,
        ite=7,
        k1=2.25,
        k2=3.0,
        k3=0.8,
        theta=0.0,
        update="synchronous",
        crop="bbox",
        triplets="spec",
        resize="longer_side",
    ),
    "official": SeSSParams(
        alpha=0.25,
        beta=0.05,
        gamma=0.05,
        ite=7,
        k1=2.5,
        k2=3.0,
        k3=0.8,
        theta=0.2,
        update="in_place",
        crop="bbox",
        triplets="demo",
        resize="width",
    ),
}
DEFAULT_PRESET = "paper"


PRESET_FILE_FORMAT = "seess-preset/1"
_PRESET_SUFFIXES = (".yaml", ".yml", ".json")


def _is_preset_path(name: str) -> bool:
    return name.lower().endswith(_PRESET_SUFFIXES) or os.sep in name or os.path.isfile(name)


def load_preset_file(path: str | os.PathLike) -> SeSSParams:
    """The parameters of a preset file (YAML or JSON, as ``seess tune`` writes it).

    The file is a mapping with ``params`` (every :class:`SeSSParams` field
    except the defaulted ``update`` / ``crop`` is required) and optionally
    ``format: seess-preset/1``, ``name`` and ``provenance``. Errors name the file.
    """
    import json

    import yaml

    p = Path(path).expanduser()
    if not p.is_file():
        raise ValueError(f"SeSS preset file {p} not found (named presets: {sorted(PRESETS)})")
    try:
        text = p.read_text()
        doc = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"SeSS preset file {p}: not readable ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("params"), dict):
        raise ValueError(  # noqa: TRY004 - bad file content is a value error
            f"SeSS preset file {p}: needs a mapping with a 'params' mapping"
        )
    fmt = doc.get("format", PRESET_FILE_FORMAT)
    if fmt != PRESET_FILE_FORMAT:
        raise ValueError(f"SeSS preset file {p}: unknown format {fmt!r}")
    known = {f.name for f in fields(SeSSParams)}
    params = doc["params"]
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(f"SeSS preset file {p}: unknown parameter(s) {unknown}")
    try:
        return SeSSParams(**params)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"SeSS preset file {p}: {exc}") from None


def get_preset(name: str = DEFAULT_PRESET, **overrides: Any) -> SeSSParams:
    """The named preset (or a preset file path), with optional field overrides (validated).

    ``name``: ``paper``, ``official``, or the path of a preset file
    (``.yaml`` / ``.yml`` / ``.json``, see :func:`load_preset_file`).
    Raises ValueError naming an unknown preset, an unknown override key, or an
    out-of-range value.
    """
    name = os.fspath(name)
    if name in PRESETS:
        base = PRESETS[name]
    elif _is_preset_path(name):
        base = load_preset_file(name)
    else:
        raise ValueError(
            f"unknown SeSS preset {name!r}; known presets: {sorted(PRESETS)} "
            "or a preset file (.yaml/.yml/.json)"
        )
    known = {f.name for f in fields(SeSSParams)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown SeSS parameter(s) {unknown}; known: {sorted(known)}")
    return replace(base, **overrides)
