"""What a configured run computes: the (experiment, system, grid point) shards.

A shard is one grid point of one system over all images; it names the folder
``results/<exp>/<system>/<point>/`` holding the received images and is scored
by one job (so models load once per shard). Grid points are named by
:mod:`semcom_pipeline.grid` (``bpp=0.5``, ``snr=4dB``, ``noise=200,v=0``, ``rotation=15``), the
same token as the ``condition`` column. Experiment B's systems come from
``experiments.B.systems`` (:mod:`semcom_pipeline.systems`): nothing here names a
codec or a link.
"""

from __future__ import annotations

from typing import Any

from semcom_pipeline.grid import bpp_point, noise_point, snr_point, strength_point
from semcom_pipeline.systems import b_systems

__all__ = ["C_SYSTEM", "Plan"]

C_SYSTEM = "unclip"  # Experiment C's one system


class Plan:
    """The shards of a validated config."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def _enabled(self, exp: str) -> dict[str, Any] | None:
        e = self.config["experiments"][exp]
        return e if e["enabled"] else None

    def shards_a(self) -> list[tuple[str, str, str]]:
        a = self._enabled("A")
        return [("A", c, bpp_point(b)) for c in a["codecs"] for b in a["bpp"]] if a else []

    def systems_b(self) -> list[str]:
        """The configured Experiment B system names, in config order."""
        return list(b_systems(self.config["experiments"]["B"]))

    def shards_b(self) -> list[tuple[str, str, str]]:
        b = self._enabled("B")
        if not b:
            return []
        return [("B", system, snr_point(s)) for system in self.systems_b() for s in b["snr_db"]]

    def shards_d(self) -> list[tuple[str, str, str]]:
        d = self._enabled("D")
        if not d:
            return []
        return [
            ("D", name, strength_point(name, s))
            for name, grid in d["transforms"].items()
            for s in grid
        ]

    def shards_c(self) -> list[tuple[str, str, str]]:
        c = self._enabled("C")
        if not c:
            return []
        return [
            ("C", C_SYSTEM, noise_point(n, k))
            for n in c["noise_levels"]
            for k in range(c.get("variations", 1))
        ]

    def shards(self) -> list[tuple[str, str, str]]:
        return self.shards_a() + self.shards_b() + self.shards_c() + self.shards_d()
