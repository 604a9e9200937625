"""``seess agree`` and ``seess tune``: the command-line side of human alignment.

    seess agree RATINGS --metric psnr --metric seess:backend=sess-lite --out DIR
                [--format auto|absolute|triplets|bapps|nights] [--scale LOW HIGH]
                [--n-boot 1000] [--seed 0] [--logistic 4|5] [--device auto]
    seess tune RATINGS --out DIR [--measure srcc|plcc|krcc|2afc] [--trials 100]
                [--folds 5] [--seed 0] [--storage URL|FILE] [--name STUDY]
                [--preset-out FILE] [--backend sess|sess-lite] [--cache-dir DIR]
                [--fix update=synchronous ...]

:func:`add_alignment_commands` adds both sub-commands to an argparse
sub-parser set (the ``seess`` CLI calls it); each sets ``alignment_main``, a
function taking the parsed namespace and returning the exit code (0 ok, 2 a
user error printed as one line). Heavy modules are imported only when a
command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_alignment_commands", "run_agree", "run_tune"]

_FORMATS = ["auto", "absolute", "triplets", "bapps", "nights"]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("ratings", type=Path, help="ratings CSV or folder (BAPPS / NIGHTS layout)")
    p.add_argument("--format", default="auto", choices=_FORMATS, help="ratings layout")
    p.add_argument(
        "--scale",
        nargs=2,
        type=float,
        default=(0.0, 1.0),
        metavar=("LOW", "HIGH"),
        help="declared score scale, normalised to [0, 1] (default 0 1)",
    )
    p.add_argument("--split", help="NIGHTS: only this split (train / val / test)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    p.add_argument("--logistic", type=int, default=4, choices=[4, 5], help="PLCC logistic")


def add_alignment_commands(sub: Any) -> None:
    """Add ``agree`` and ``tune`` to an argparse sub-parser set."""
    a = sub.add_parser("agree", help="agreement of metrics with human judgments")
    _common(a)
    a.add_argument(
        "--metric",
        action="append",
        dest="metrics",
        metavar="SPEC",
        help="metric: NAME, NAME:key=value,... or LABEL=NAME:key=value (repeatable; "
        "e.g. seess:backend=sess-lite,preset=official)",
    )
    a.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (0: no CI)")
    a.set_defaults(alignment_main=run_agree)

    t = sub.add_parser("tune", help="tune SeSS's hyper-parameters on human judgments (Optuna)")
    _common(t)
    t.add_argument("--measure", default="srcc", choices=["srcc", "plcc", "krcc", "2afc"])
    t.add_argument("--trials", type=int, default=100, help="trials added to each study")
    t.add_argument("--folds", type=int, default=5, help="k of the k-fold hold-out by image")
    t.add_argument(
        "--storage",
        help="Optuna storage URL (e.g. postgresql://...) or SQLite file (default OUT/tune.db)",
    )
    t.add_argument("--name", default="seess-tune", help="study name prefix")
    t.add_argument("--preset-out", type=Path, help="preset file (default OUT/<name>.yaml)")
    t.add_argument(
        "--fix",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="keep a parameter fixed (repeatable), e.g. update=synchronous",
    )
    t.add_argument("--backend", default="sess", choices=["sess", "sess-lite"])
    t.add_argument("--cache-dir", help="scene-graph cache (default OUT/graphs)")
    t.add_argument("--weights-dir", help="folder with SAM checkpoints")
    t.add_argument("--no-progress", action="store_true", help="no progress bars")
    t.set_defaults(alignment_main=run_tune)


def _fail(msg: Any) -> int:
    print(f"seess: error: {' '.join(str(msg).split())}", file=sys.stderr)
    return 2


def _errors() -> tuple[type[BaseException], ...]:
    from semcom_core.imageio import ImageError
    from semcom_core.weights import MissingWeightsError

    return (ImageError, MissingWeightsError, FileNotFoundError, ValueError, TypeError, KeyError)


def run_agree(args: argparse.Namespace) -> int:
    """``seess agree``: write the agreement table and figures into ``--out``."""
    from semcom_alignment.report import run_agreement
    from semcom_core.models import resolve_device

    try:
        files = run_agreement(
            args.ratings,
            args.metrics or ["seess"],
            args.out,
            format=args.format,
            scale=tuple(args.scale),
            split=args.split,
            n_boot=args.n_boot,
            seed=args.seed,
            logistic=args.logistic,
            device=resolve_device(args.device),
        )
    except _errors() as exc:
        return _fail(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
    import pandas as pd

    table = pd.read_csv(files["agreement"])
    print(
        table[["metric", "measure", "value", "ci_low", "ci_high", "n_items"]].to_string(index=False)
    )
    print(f"wrote {', '.join(str(p) for p in files.values())}")
    return 0


def _parse_fixed(items: list[str]) -> dict[str, Any]:
    import yaml

    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"--fix {item!r} must be PARAM=VALUE")
        out[key.strip()] = yaml.safe_load(value)
    return out


def run_tune(args: argparse.Namespace) -> int:
    """``seess tune``: graphs from the cache, Optuna studies, a preset file and a results table."""
    try:
        return _tune(args)
    except KeyboardInterrupt:
        from semcom_alignment.tune import storage_label

        where = storage_label(str(args.storage or args.out / "tune.db"))
        print(
            f"seess: interrupted; finished trials are kept in {where}; "
            "run the same command again to continue the studies",
            file=sys.stderr,
        )
        return 130
    except _errors() as exc:
        return _fail(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)


def _tune(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from seess.api import SeSS
    from semcom_alignment.agreement import human_pairs, human_triplets
    from semcom_alignment.ratings import read_ratings
    from semcom_alignment.report import write_csv
    from semcom_alignment.tune import TuneData, run_tuning, write_preset
    from semcom_core.models import resolve_device

    fixed = _parse_fixed(args.fix)
    table = read_ratings(args.ratings, args.format, scale=tuple(args.scale), split=args.split)
    pairs, triplets = human_pairs(table), human_triplets(table)
    images = sorted(set(table["ref"]) | set(table["test"]))
    options: dict[str, Any] = {}
    if args.weights_dir:
        options["weights_dir"] = args.weights_dir
    model = SeSS(
        backend=args.backend,
        device=resolve_device(args.device),
        cache_dir=args.cache_dir or args.out / "graphs",
        **options,
    )
    graphs = {
        p: model.graph(p)
        for p in tqdm(images, desc="scene graphs", unit="image", disable=args.no_progress)
    }
    data = TuneData(pairs, triplets, graphs, model.relation_similarity())
    storage = args.storage or str(args.out / "tune.db")
    result = run_tuning(
        data,
        measure_name=args.measure,
        k=args.folds,
        n_trials=args.trials,
        seed=args.seed,
        storage=storage,
        name=args.name,
        fixed=fixed,
        logistic=args.logistic,
        show_progress=not args.no_progress,
    )
    write_csv(result.table, args.out / "tune_results.csv")
    preset = write_preset(
        args.preset_out or args.out / f"{args.name}.yaml",
        result,
        args.name,
        {"backend": model.name, "ratings": str(args.ratings), "seed": args.seed},
    )
    print(result.summary().to_string())
    print(f"best {result.measure} on all items: {result.best_value:.4f}; trials {result.n_trials}")
    print(f"wrote {args.out / 'tune_results.csv'} and preset {preset}")
    return 0
