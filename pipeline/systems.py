"""Experiment B's systems, declared in the config: a codec + a link (+ modulation, code rate).

``experiments.B.systems`` maps a system name (folder name, ``system`` column)
to its parts::

    systems:
      jpeg2000+ldpc-adaptive: {codec: jpeg2000, link: ldpc, modulation: adaptive}
      jpeg2000+ldpc-16qam: {codec: jpeg2000, link: ldpc, modulation: 16qam, code_rate: 0.5}
      deepjscc-qam16: {codec: deepjscc, link: analog, modulation: qam16, label: DeepJSCC}

A *link* is how the codec's output crosses the AWGN channel; each is one
transmit function plus one entry in :data:`LINKS` (or :func:`register_link`
from a plugin module). This module imports nothing heavy: the config check
runs it while Snakemake parses the workflow.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from semcom_channels.modulation import MODULATIONS

__all__ = ["LINKS", "BSystem", "LinkSpec", "b_systems", "check_systems", "register_link"]


@dataclass(frozen=True)
class LinkSpec:
    """A way across the channel.

    transmit: ``"module:function"`` with the signature of
        :func:`semcom_pipeline.experiment_b.ldpc_transmit` (imported on use).
    codec_kind: the :attr:`Codec.kind` it carries (``digital`` bytes or ``analog`` symbols).
    modulations: the allowed ``modulation`` values; the first is the default.
    describe: text for figure titles and legends, ``{modulation}`` and ``{code_rate}`` filled.
    """

    transmit: str
    codec_kind: str
    modulations: tuple[str, ...]
    describe: str

    def function(self) -> Callable[..., dict[str, Any]]:
        module, name = self.transmit.split(":")
        return getattr(importlib.import_module(module), name)


LINKS: dict[str, LinkSpec] = {
    "ldpc": LinkSpec(
        "semcom_pipeline.experiment_b:ldpc_transmit",
        "digital",
        ("adaptive", *MODULATIONS),
        "LDPC rate {code_rate:g}, {modulation}",
    ),
    "analog": LinkSpec(
        "semcom_pipeline.experiment_b:analog_transmit",
        "analog",
        ("analog", "qam16"),
        "{modulation} symbols",
    ),
}


def register_link(name: str, spec: LinkSpec) -> None:
    """Add a link (from a plugin module listed under ``plugins:`` in the config)."""
    LINKS[name] = spec


@dataclass(frozen=True)
class BSystem:
    """One Experiment B system as configured (defaults filled)."""

    name: str
    codec: str
    link: str
    modulation: str
    code_rate: float
    label: str = ""

    @property
    def spec(self) -> LinkSpec:
        return LINKS[self.link]

    def display_name(self, codec_display: str | None = None) -> str:
        """The legend text: the configured ``label``, else e.g. ``JPEG2000 + LDPC rate 0.5, adaptive``."""
        if self.label:
            return self.label
        how = self.spec.describe.format(modulation=self.modulation, code_rate=self.code_rate)
        return f"{codec_display or self.codec} + {how}"


def b_systems(cfg_b: dict[str, Any]) -> dict[str, BSystem]:
    """The configured systems by name, in config order (config validated, see :func:`check_systems`)."""
    out = {}
    for name, entry in cfg_b.get("systems", {}).items():
        spec = LINKS[entry["link"]]
        out[name] = BSystem(
            name=name,
            codec=entry["codec"],
            link=entry["link"],
            modulation=entry.get("modulation", spec.modulations[0]),
            code_rate=float(entry.get("code_rate", cfg_b.get("code_rate", 0.5))),
            label=entry.get("label", ""),
        )
    return out


def check_systems(cfg_b: dict[str, Any], codec_kinds: dict[str, str]) -> list[str]:
    """Problems of ``experiments.B.systems``, each naming its key (empty when all is well).

    ``codec_kinds`` maps every known codec name to its kind (``digital`` / ``analog``).
    """
    problems = []
    for name, entry in cfg_b.get("systems", {}).items():
        key = f"experiments.B.systems.{name}"
        codec, link = entry.get("codec"), entry.get("link")
        if codec not in codec_kinds:
            problems.append(
                f"{key}.codec: unknown codec '{codec}'; available: {', '.join(sorted(codec_kinds))}"
            )
        if link not in LINKS:
            problems.append(
                f"{key}.link: unknown link '{link}'; available: {', '.join(sorted(LINKS))}"
            )
            continue
        spec = LINKS[link]
        mod = entry.get("modulation", spec.modulations[0])
        if mod not in spec.modulations:
            problems.append(
                f"{key}.modulation: '{mod}' is not a modulation of link '{link}'; "
                f"available: {', '.join(spec.modulations)}"
            )
        if codec in codec_kinds and codec_kinds[codec] != spec.codec_kind:
            problems.append(
                f"{key}: codec '{codec}' emits {codec_kinds[codec]} output but link '{link}' "
                f"carries {spec.codec_kind} output"
            )
    return problems
