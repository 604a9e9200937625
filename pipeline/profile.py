"""Where the time of a configured run goes: a per-stage profile on a few images.

:func:`profile_run` runs every stage of a validated config through the library (the
same functions the workflow's jobs call) on ``n_images`` of its images and times it:

=============  ===============================================  ===========================
stage          what one unit is                                  units in the full run
=============  ===============================================  ===========================
sample         loading and downscaling one original             images
encode         one codec encode + decode (Experiment A)          images x A grid points
transmit       one image through a B system at one SNR          images x B grid points
transform      one Experiment D transformation                  images x D grid points
segment        one unique image through the segmenter           images x (1 + grid points)
embed          node crops + whole image through the embedder    same as segment
relations      relation prediction between the nodes            same as segment
match          graph matching + score of one pair                images x grid points
baselines      every non-SeSS metric on one pair                 images x grid points
plot           the run's figures, once                           1
=============  ===============================================  ===========================

The table gives the measured time per unit, the number of units in the full
config and the extrapolated total with its share. Segmentation cost depends on the
image content (SAM's mask count), so timings on random weights fix that count;
the graph cache, which removes repeated images, is not used here (every unit is
computed), so the extrapolation is an upper bound for a cold cache.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["STAGES", "StageTimer", "format_profile", "profile_run", "profile_table"]

STAGES = (
    "sample",
    "encode",
    "transmit",
    "transform",
    "segment",
    "embed",
    "relations",
    "match",
    "baselines",
    "plot",
)


@dataclass
class StageTimer:
    """Wall seconds of every unit of work, per stage."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one unit of stage ``name``."""
        _check_stage(name)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.samples[name].append(time.perf_counter() - t0)

    def add(self, name: str, seconds: float) -> None:
        _check_stage(name)
        self.samples[name].append(seconds)

    def units(self, name: str) -> int:
        return len(self.samples.get(name, []))

    def per_unit(self, name: str) -> float:
        """Median seconds per unit, the first unit left out when there are more (it also
        pays one-time costs: imports, model loads, compilation)."""
        xs = self.samples.get(name, [])
        if not xs:
            return float("nan")
        return float(np.median(xs[1:] if len(xs) > 1 else xs))

    def setup(self, name: str) -> float:
        """One-time cost of the stage in a job: the first unit's excess over the median."""
        xs = self.samples.get(name, [])
        return max(0.0, xs[0] - self.per_unit(name)) if len(xs) > 1 else 0.0


def _check_stage(name: str) -> None:
    if name not in STAGES:
        raise ValueError(f"unknown stage '{name}'; stages: {', '.join(STAGES)}")


def _grid_counts(cfg: dict[str, Any]) -> dict[str, int]:
    from semcom_pipeline.plan import Plan

    counts: dict[str, int] = defaultdict(int)
    for shard in Plan(cfg).shards():
        counts[shard[0]] += 1
    return dict(counts)


def _seess_metric(cfg: dict[str, Any], device: str):
    from semcom_metrics.registry import build_metric

    if "seess" not in cfg["metrics"]:
        return None
    return build_metric("seess", device=device, **cfg.get("metric_options", {}).get("seess", {}))


def _time_graphs(timer: StageTimer, model, images: list[np.ndarray]) -> list:
    """Scene graphs of ``images``, timing segment / embed / relations separately."""
    from seess.graph import build_graph

    b = model.backend
    seg, emb, rel = b.segmenter, b.embedder, b.relations
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t0

        return call

    # the graph builder calls these methods; instance attributes shadow them while timing
    seg.segment = timed("segment", seg.segment)  # type: ignore[method-assign]
    emb.embed_nodes = timed("embed", emb.embed_nodes)  # type: ignore[method-assign]
    emb.embed_image = timed("embed", emb.embed_image)  # type: ignore[method-assign]
    rel.predict = timed("relations", rel.predict)  # type: ignore[method-assign]
    try:
        graphs = []
        for img in images:
            spent.clear()
            graphs.append(build_graph(img, seg, emb, rel, model.graph_settings, backend=b.name))
            for name in ("segment", "embed", "relations"):
                timer.add(name, spent[name])
        return graphs
    finally:
        del seg.segment, emb.embed_nodes, emb.embed_image, rel.predict


def profile_run(
    cfg: dict[str, Any], n_images: int = 2, device: str = "cpu"
) -> tuple[StageTimer, dict[str, int], dict[str, int]]:
    """Time every stage of validated config ``cfg`` on its first ``n_images`` images.

    Returns the timer, the number of units of each stage in the full config and the
    number of jobs that pay each stage's one-time cost.
    """
    from semcom_codecs.registry import build_codec
    from semcom_pipeline.sample import load_original, select_images
    from semcom_pipeline.systems import b_systems
    from semcom_pipeline.transforms import apply_transform

    if n_images < 1:
        raise ValueError(f"n_images must be >= 1, got {n_images}")
    timer = StageTimer()
    selected = select_images(cfg["sample"], cfg["seed"])
    sources = list(selected.values())[:n_images]
    originals = []
    for src in sources:
        with timer.stage("sample"):
            originals.append(load_original(src, cfg["sample"].get("max_side")))

    received: list[np.ndarray] = []
    exps = cfg["experiments"]
    if exps["A"]["enabled"]:
        for codec_name in exps["A"]["codecs"]:
            codec = build_codec(codec_name, **cfg.get("codecs", {}).get(codec_name, {}))
            bpp = float(exps["A"]["bpp"][len(exps["A"]["bpp"]) // 2])
            for im in originals:
                with timer.stage("encode"):
                    enc = codec.encode(im, bpp)
                    received.append(codec.decode(enc.data, im.shape))
    if exps["B"]["enabled"]:
        # the configured systems' own link functions (what transmit jobs run), at the top SNR;
        # image k goes through system k mod n, so several systems are timed on a few images
        systems = list(b_systems(exps["B"]).values())
        snr = float(exps["B"]["snr_db"][-1])
        for k, im in enumerate(originals):
            system = systems[k % len(systems)]
            with timer.stage("transmit"):
                out = system.spec.function()(system, snr, {"x": im}, cfg, {"x": k}, device)
            image = out["x"][0]
            received.append(im if image is None else image)
    if exps["D"]["enabled"]:
        for name, grid in exps["D"]["transforms"].items():
            for im in originals:
                with timer.stage("transform"):
                    received.append(apply_transform(name, im, float(grid[-1])))

    pairs = [(originals[k % len(originals)], r) for k, r in enumerate(received)]
    metric = _seess_metric(cfg, device)
    if metric is not None:
        graphs = _time_graphs(timer, metric.model, originals + received)
        g_orig, g_recv = graphs[: len(originals)], graphs[len(originals) :]
        for k, g in enumerate(g_recv):
            with timer.stage("match"):
                metric.model.score_graphs(g_orig[k % len(originals)], g)
    _time_baselines(timer, cfg, pairs, device)
    _time_plot(timer)
    return timer, _full_units(cfg), _jobs(cfg)


def _time_baselines(timer: StageTimer, cfg: dict[str, Any], pairs: list, device: str) -> None:
    from semcom_metrics.registry import build_metric

    names = [m for m in cfg["metrics"] if m != "seess"]
    metrics = [
        build_metric(m, device=device, **cfg.get("metric_options", {}).get(m, {})) for m in names
    ]
    if not metrics:
        return
    for ref, test in pairs:
        with timer.stage("baselines"):
            for m in metrics:
                m.score_batch([ref], [test])


def _time_plot(timer: StageTimer) -> None:
    """One metric-vs-condition figure (PNG + PDF) in memory, the unit the figures repeat."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with timer.stage("plot"):
        fig, axes = plt.subplots(1, 4, figsize=(12, 3))
        x = np.arange(5)
        for ax in axes:
            ax.errorbar(x, np.sqrt(x + 1), yerr=0.1, marker="o")
            ax.set_xlabel("condition")
        for fmt in ("png", "pdf"):
            fig.savefig(io.BytesIO(), format=fmt, dpi=150, bbox_inches="tight")
        plt.close(fig)


def _full_units(cfg: dict[str, Any]) -> dict[str, int]:
    """Units of each stage in the full config (see the module's table)."""
    from semcom_pipeline.sample import select_images

    n = len(select_images(cfg["sample"], cfg["seed"]))
    grid = _grid_counts(cfg)
    points = sum(grid.values())
    has_seess = "seess" in cfg["metrics"]
    from semcom_pipeline.figures import figure_names

    return {
        "sample": n,
        "encode": n * grid.get("A", 0),
        "transmit": n * grid.get("B", 0),
        "transform": n * grid.get("D", 0),
        "segment": n * (1 + points) if has_seess else 0,
        "embed": n * (1 + points) if has_seess else 0,
        "relations": n * (1 + points) if has_seess else 0,
        "match": n * points if has_seess else 0,
        "baselines": n * points,
        "plot": len(figure_names(cfg)),
    }


def _jobs(cfg: dict[str, Any]) -> dict[str, int]:
    """Jobs of the full config that pay each stage's one-time cost (models load per job)."""
    grid = _grid_counts(cfg)
    points = sum(grid.values())
    return {
        "sample": 1,
        "encode": grid.get("A", 0),
        "transmit": grid.get("B", 0),
        "transform": grid.get("D", 0),
        **{s: points for s in ("segment", "embed", "relations", "match", "baselines")},
        "plot": 1,
    }


def profile_table(
    timer: StageTimer, full_units: dict[str, int], jobs: dict[str, int]
) -> list[dict[str, Any]]:
    """One row per stage: seconds per unit, one-time seconds per job, units and jobs in the
    full config, extrapolated seconds and share."""
    rows: list[dict[str, Any]] = []
    for s in STAGES:
        per, setup = timer.per_unit(s), timer.setup(s)
        units = full_units.get(s, 0)
        total = per * units + setup * jobs.get(s, 0) if units and not np.isnan(per) else 0.0
        rows.append(
            {
                "stage": s,
                "measured_units": timer.units(s),
                "seconds_per_unit": per,
                "setup_seconds": setup,
                "full_units": units,
                "full_jobs": jobs.get(s, 0) if units else 0,
                "full_seconds": total,
            }
        )
    whole = sum(r["full_seconds"] for r in rows)
    for r in rows:
        r["share"] = r["full_seconds"] / whole if whole > 0 else 0.0
    return rows


def format_profile(rows: list[dict[str, Any]], device: str) -> str:
    """The profile as a fixed-width text table with the extrapolated total."""
    head = ("stage", "measured", "s/unit", "setup s", "units", "jobs", "total s", "share")
    lines = ["{:10s} {:>8s} {:>9s} {:>8s} {:>7s} {:>5s} {:>9s} {:>6s}".format(*head)]
    for r in rows:
        per = "-" if np.isnan(r["seconds_per_unit"]) else f"{r['seconds_per_unit']:.4f}"
        lines.append(
            f"{r['stage']:10s} {r['measured_units']:8d} {per:>9s} {r['setup_seconds']:8.2f} "
            f"{r['full_units']:7d} {r['full_jobs']:5d} {r['full_seconds']:9.1f} "
            f"{100 * r['share']:5.1f}%"
        )
    total = sum(r["full_seconds"] for r in rows)
    lines.append(
        f"extrapolated full run on {device}: {total:.0f} s ({total / 60:.1f} min) "
        "of stage work, one worker, cold graph cache"
    )
    return "\n".join(lines)
