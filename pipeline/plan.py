"""What a configured run computes: the (experiment, system, condition) shards.

A shard is one grid point of one system over all images; it names the folder
``results/<exp>/<system>/<cond>/`` holding the received images and is scored
by one job (so models load once per shard).
"""

from __future__ import annotations

from typing import Any

from semcom_pipeline.records import fmt_num

__all__ = ["C_SYSTEM", "Plan", "bpp_cond", "noise_cond", "snr_cond", "strength_cond"]

C_SYSTEM = "unclip"  # Experiment C's one system


def bpp_cond(bpp: float) -> str:
    return f"bpp{fmt_num(bpp)}"


def snr_cond(snr_db: float) -> str:
    return f"snr{fmt_num(snr_db)}"


def strength_cond(strength: float) -> str:
    return f"s{fmt_num(strength)}"


def noise_cond(noise_level: int, variation: int) -> str:
    """Experiment C's shard name: one noise level, one variation of every image."""
    return f"noise{int(noise_level)}-v{int(variation)}"


class Plan:
    """The shards of a validated config."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def shards_a(self) -> list[tuple[str, str, str]]:
        a = self.config["experiments"]["A"]
        if not a["enabled"]:
            return []
        return [("A", codec, bpp_cond(b)) for codec in a["codecs"] for b in a["bpp"]]

    def systems_b(self) -> list[str]:
        b = self.config["experiments"]["B"]
        systems = [f"{b['digital_codec']}+ldpc-adaptive"]
        systems += [f"{b['digital_codec']}+ldpc-{m}" for m in b["fixed_modulations"]]
        if b["learned"]:
            systems.append(f"{b['learned_codec']}-{b['learned_mode']}")
        return systems

    def shards_b(self) -> list[tuple[str, str, str]]:
        b = self.config["experiments"]["B"]
        if not b["enabled"]:
            return []
        return [("B", system, snr_cond(s)) for system in self.systems_b() for s in b["snr_db"]]

    def shards_d(self) -> list[tuple[str, str, str]]:
        d = self.config["experiments"]["D"]
        if not d["enabled"]:
            return []
        return [
            ("D", name, strength_cond(s)) for name, grid in d["transforms"].items() for s in grid
        ]

    def shards_c(self) -> list[tuple[str, str, str]]:
        c = self.config["experiments"]["C"]
        if not c["enabled"]:
            return []
        return [
            ("C", C_SYSTEM, noise_cond(n, k))
            for n in c["noise_levels"]
            for k in range(c.get("variations", 1))
        ]

    def shards(self) -> list[tuple[str, str, str]]:
        return self.shards_a() + self.shards_b() + self.shards_c() + self.shards_d()
