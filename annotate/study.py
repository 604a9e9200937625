"""A study folder: its settings (``study.yaml``), its images and the items raters see.

Layout of a study folder::

    STUDY/
      study.yaml      # scale, instructions, seed, attention checks (validated on load)
      images/         # copies of the originals and candidates (the only files served)
      study.sqlite    # raters, items, per-rater orders, answers (see :mod:`.store`)

An item is a triplet as in the paper's Fig. 5: one original and two candidates. Items are
built from a source tree laid out like a workflow's ``results/`` folder: originals in
``originals/<image>.<ext>`` and candidates anywhere else under the tree with the same stem
(``A/jpeg/bpp0.2/<image>.png``, ``D/rotation/s15/<image>.png``); the folder of a candidate
(``A/jpeg/bpp0.2``) is its condition. Triplets are sampled with a seed so that every
condition is used about equally often.
"""

from __future__ import annotations

import fnmatch
import os
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from semcom_annotate.files import copy_file, write_text
from semcom_core.imageio import IMAGE_SUFFIXES

__all__ = [
    "ATTENTION_KINDS",
    "Item",
    "Scale",
    "StudyConfig",
    "StudyError",
    "build_items",
    "collect_candidates",
    "load_config",
    "write_config",
]

STUDY_YAML = "study.yaml"
IMAGES_DIR = "images"
DB_NAME = "study.sqlite"
ORIGINALS = "originals"
#: folders of a workflow's results/ that never hold candidates
SKIPPED_DIRS = frozenset({"scores", "figures", "cache", "logs", "originals", "report"})
#: attention checks: a candidate identical to the original, or a repeat of a main item
ATTENTION_KINDS = ("identical", "repeat")

DEFAULT_INSTRUCTIONS = (
    "Each screen shows an original image (top) and two other images. For each of the two, "
    "give a score for how much of the original's meaning it keeps: the objects, what they do "
    "and how they relate, not the pixel-level quality. The highest score means the same "
    "content; the lowest means nothing in common. Then, if asked, say which of the two is "
    "closer to the original. There are no right answers; go with your first impression."
)


class StudyError(ValueError):
    """A study folder, source tree or study.yaml that cannot be used; the message says why."""


@dataclass(frozen=True)
class Scale:
    """The rating scale: ``min`` .. ``max`` in steps of ``step`` (exported normalised to [0, 1])."""

    min: float = 0.0
    max: float = 10.0
    step: float = 1.0
    low_label: str = "nothing in common"
    high_label: str = "same meaning"

    def __post_init__(self) -> None:
        if not self.max > self.min:
            raise StudyError(f"scale: max ({self.max}) must be larger than min ({self.min})")
        if not 0 < self.step <= self.max - self.min:
            raise StudyError(f"scale: step must lie in (0, max - min], got {self.step}")

    @property
    def levels(self) -> int:
        """Number of values on the scale."""
        return round((self.max - self.min) / self.step) + 1

    def check(self, value: float) -> float:
        """``value`` as a float on the scale; :class:`StudyError` when off the scale."""
        v = float(value)
        if not (self.min - 1e-9 <= v <= self.max + 1e-9):
            raise StudyError(f"score {v} is outside the scale [{self.min}, {self.max}]")
        k = (v - self.min) / self.step
        if abs(k - round(k)) > 1e-6:
            raise StudyError(f"score {v} is not on the scale's steps of {self.step}")
        return v

    def normalise(self, value: float) -> float:
        """``value`` mapped linearly to [0, 1]."""
        return (float(value) - self.min) / (self.max - self.min)


@dataclass(frozen=True)
class StudyConfig:
    """The contents of ``study.yaml``."""

    name: str
    seed: int = 0
    scale: Scale = field(default_factory=Scale)
    instructions: str = DEFAULT_INSTRUCTIONS
    ask_closer: bool = True
    attention: dict[str, int] = field(default_factory=lambda: {"identical": 1, "repeat": 1})
    source: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        s = self.scale
        return {
            "name": self.name,
            "seed": self.seed,
            "scale": {
                "min": s.min,
                "max": s.max,
                "step": s.step,
                "low_label": s.low_label,
                "high_label": s.high_label,
            },
            "instructions": self.instructions,
            "ask_closer": self.ask_closer,
            "attention": dict(self.attention),
            "source": dict(self.source),
        }


_TOP_KEYS = {"name", "seed", "scale", "instructions", "ask_closer", "attention", "source"}
_SCALE_KEYS = {"min", "max", "step", "low_label", "high_label"}


def _parse_config(raw: Any, where: str) -> StudyConfig:
    if not isinstance(raw, dict):
        raise StudyError(f"{where}: expected a mapping of settings, got {type(raw).__name__}")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise StudyError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(_TOP_KEYS)})")
    scale_raw = raw.get("scale", {}) or {}
    if not isinstance(scale_raw, dict) or set(scale_raw) - _SCALE_KEYS:
        raise StudyError(f"{where}: scale must be a mapping with keys among {sorted(_SCALE_KEYS)}")
    d = Scale()
    try:
        scale = Scale(
            min=float(scale_raw.get("min", d.min)),
            max=float(scale_raw.get("max", d.max)),
            step=float(scale_raw.get("step", d.step)),
            low_label=str(scale_raw.get("low_label", d.low_label)),
            high_label=str(scale_raw.get("high_label", d.high_label)),
        )
    except (TypeError, ValueError) as exc:
        raise StudyError(f"{where}: bad scale: {exc}") from None
    attention = raw.get("attention", {"identical": 1, "repeat": 1}) or {}
    if not isinstance(attention, dict) or set(attention) - set(ATTENTION_KINDS):
        raise StudyError(f"{where}: attention must map {list(ATTENTION_KINDS)} to counts")
    if not all(isinstance(v, int) and v >= 0 for v in attention.values()):
        raise StudyError(f"{where}: attention counts must be non-negative integers")
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise StudyError(f"{where}: seed must be an integer, got {seed!r}")
    instructions = raw.get("instructions", DEFAULT_INSTRUCTIONS)
    if not isinstance(instructions, str) or not instructions.strip():
        raise StudyError(f"{where}: instructions must be a non-empty text")
    return StudyConfig(
        name=str(raw.get("name", "study")),
        seed=seed,
        scale=scale,
        instructions=instructions,
        ask_closer=bool(raw.get("ask_closer", True)),
        attention={k: int(attention.get(k, 0)) for k in ATTENTION_KINDS},
        source=dict(raw.get("source", {}) or {}),
    )


def load_config(study: str | os.PathLike) -> StudyConfig:
    """Read and validate ``STUDY/study.yaml``."""
    path = Path(study) / STUDY_YAML
    if not path.is_file():
        raise StudyError(
            f"{Path(study)}: not a study folder (no {STUDY_YAML}); "
            "create one with `semcom annotate init`"
        )
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise StudyError(f"{path}: not valid YAML ({exc})") from None
    return _parse_config(raw, str(path))


def write_config(study: str | os.PathLike, config: StudyConfig) -> Path:
    """Write ``STUDY/study.yaml`` atomically."""
    path = Path(study) / STUDY_YAML
    return write_text(path, yaml.safe_dump(config.to_dict(), sort_keys=False, allow_unicode=True))


@dataclass(frozen=True)
class Candidate:
    """One candidate image: its path relative to the source root and its condition folder."""

    path: str
    condition: str


@dataclass(frozen=True)
class Item:
    """One screen: an original and two candidates (paths relative to ``STUDY/images``).

    ``kind`` is ``main`` or an attention check (``identical``: one candidate is the original
    itself; ``repeat``: the same triplet as item ``repeat_of``, in the same slots).
    """

    ref: str
    test0: str
    test1: str
    condition0: str
    condition1: str
    kind: str = "main"
    repeat_of: int | None = None


def _is_image(p: Path) -> bool:
    return p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")


def collect_candidates(
    root: str | os.PathLike, exclude: Sequence[str] = ()
) -> dict[str, list[Candidate]]:
    """Originals of ``root`` (``root/originals/*``) -> their candidates, by file stem.

    ``exclude``: shell patterns of condition folders to leave out (``D/*/s0``: strength 0).

    Raises :class:`StudyError` when ``root`` has no ``originals/`` folder with images, or when
    no original has at least two candidates.
    """
    root = Path(root)
    if not root.is_dir():
        raise StudyError(f"{root}: no such folder")
    orig_dir = root / ORIGINALS
    originals = sorted(p for p in orig_dir.iterdir() if _is_image(p)) if orig_dir.is_dir() else []
    if not originals:
        raise StudyError(
            f"{root}: no images in {ORIGINALS}/ (expected {ORIGINALS}/<image>.png and candidates "
            f"with the same file names in other folders, as a workflow's results/ folder)"
        )
    by_stem = {p.stem: p for p in originals}
    if len(by_stem) < len(originals):
        dup = sorted(s for s, n in Counter(p.stem for p in originals).items() if n > 1)
        raise StudyError(f"{orig_dir}: several originals share a file stem: {', '.join(dup)}")
    found: dict[str, list[Candidate]] = {p.relative_to(root).as_posix(): [] for p in originals}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here == root:
            dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fn in sorted(filenames):
            p = here / fn
            if p.stem in by_stem and _is_image(p):
                rel = p.relative_to(root).as_posix()
                cond = here.relative_to(root).as_posix()
                if any(fnmatch.fnmatchcase(cond, pat) for pat in exclude):
                    continue
                found[by_stem[p.stem].relative_to(root).as_posix()].append(Candidate(rel, cond))
    usable = {ref: c for ref, c in found.items() if len(c) >= 2}
    if not usable:
        raise StudyError(
            f"{root}: no original has two candidates (images with the same file name as an "
            f"original in other folders); found {sum(map(len, found.values()))} candidates"
        )
    return usable


def build_items(
    candidates: dict[str, list[Candidate]],
    n: int | None,
    seed: int,
    attention: dict[str, int] | None = None,
) -> list[Item]:
    """Sample ``n`` distinct triplets (all of them when ``n`` is None), then attention checks.

    Originals are taken in turn (a fresh seeded order each round); for each, the two
    candidates whose conditions have been used least so far (ties broken by the seeded
    generator), so the sample spreads over experiments and conditions.
    """
    if n is not None and n < 1:
        raise StudyError(f"the number of items must be at least 1, got {n}")
    rng = random.Random(seed)
    possible = sum(len(c) * (len(c) - 1) // 2 for c in candidates.values())
    target = possible if n is None else min(n, possible)
    used: Counter[str] = Counter()
    seen: set[tuple[str, frozenset[str]]] = set()
    items: list[Item] = []
    refs = sorted(candidates)
    while len(items) < target:
        rng.shuffle(refs)
        progress = False
        for ref in refs:
            if len(items) >= target:
                break
            pool = sorted(candidates[ref], key=lambda c: (used[c.condition], rng.random()))
            pair = next(
                (
                    (a, b)
                    for i, a in enumerate(pool)
                    for b in pool[i + 1 :]
                    if (ref, frozenset((a.path, b.path))) not in seen
                ),
                None,
            )
            if pair is None:
                continue
            a, b = pair
            if rng.random() < 0.5:
                a, b = b, a
            seen.add((ref, frozenset((a.path, b.path))))
            used.update((a.condition, b.condition))
            items.append(Item(ref, a.path, b.path, a.condition, b.condition))
            progress = True
        if not progress:
            break
    attention = attention or {}
    for k in range(attention.get("identical", 0)):
        main = items[rng.randrange(len(items))]
        slot = rng.randrange(2)
        cand = (main.test0, main.condition0) if slot else (main.test1, main.condition1)
        shown = [(main.ref, "original"), cand]
        if slot:
            shown.reverse()
        (t0, c0), (t1, c1) = shown
        items.append(Item(main.ref, t0, t1, c0, c1, "identical"))
    mains = list(range(sum(1 for it in items if it.kind == "main")))
    for idx in rng.sample(mains, min(attention.get("repeat", 0), len(mains))):
        m = items[idx]
        items.append(Item(m.ref, m.test0, m.test1, m.condition0, m.condition1, "repeat", idx))
    return items


def copy_images(root: Path, rels: Sequence[str], dest: Path) -> None:
    """Copy ``root/rel`` to ``dest/rel`` for each relative path (atomically, keeping folders)."""
    from tqdm import tqdm

    for rel in tqdm(sorted(set(rels)), desc="copying images", unit="image", leave=False):
        src = root / rel
        if not src.is_file():
            raise StudyError(f"{src}: image missing")
        copy_file(src, dest / rel)
