"""``seess`` command line: score image pairs with SeSS (and any registered metric).

    seess score A.png B.png [--explain out.png] [--json] [--backend sess|sess-lite]
                [--preset paper|official] [--metric NAME ...]
    seess score --ref DIR --test DIR --out scores.csv [--metric NAME ...]

Pair mode prints the SeSS value (or ``name value`` lines with several
metrics, or a JSON explanation with ``--json``). Folder mode pairs files of
the two folders by file stem (``ref/cat.png`` with ``test/cat.jpg``) and writes
one tidy CSV row per (image, metric). Errors (missing files, unreadable
images, missing weights, bad options) print one line and exit with code 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main"]


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="seess", description="Semantic Similarity Score (SeSS) of images."
    )
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("score", help="score an image pair or two folders of images")
    s.add_argument("images", nargs="*", metavar="IMAGE", help="two images: reference and test")
    s.add_argument("--ref", type=Path, help="folder of reference images (folder mode)")
    s.add_argument("--test", type=Path, help="folder of test images (folder mode)")
    s.add_argument("--out", type=Path, help="CSV file written in folder mode")
    s.add_argument(
        "--metric",
        action="append",
        dest="metrics",
        metavar="NAME",
        help="metric to compute (repeatable; default: seess); see --list-metrics",
    )
    s.add_argument(
        "--list-metrics", action="store_true", help="print the registered metrics and exit"
    )
    s.add_argument(
        "--backend",
        default="sess",
        choices=["sess", "sess-lite"],
        help="SeSS backend set (default sess: SAM + OpenCLIP; sess-lite needs no weights)",
    )
    s.add_argument(
        "--preset",
        default="paper",
        help="paper (default), official, or a preset file (.yaml/.json)",
    )
    s.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    s.add_argument(
        "--json", action="store_true", help="pair mode: print the full explanation as JSON"
    )
    s.add_argument(
        "--explain",
        type=Path,
        metavar="OUT",
        help="pair mode: write the explanation image (.png/.pdf)",
    )
    s.add_argument("--cache-dir", help="scene-graph cache folder")
    s.add_argument(
        "--weights-dir",
        help="folder with SAM checkpoints (default $SEESS_WEIGHTS or resources/weights)",
    )
    s.add_argument("--sam-model", help="SAM size: vit_h (default), vit_l, vit_b")
    s.add_argument("--sam-checkpoint", help="SAM checkpoint file")
    s.add_argument("--clip-model", help="open_clip architecture (default ViT-H-14)")
    s.add_argument("--clip-weights", help="open_clip pretrained tag or checkpoint file")
    # human alignment: `seess agree`, `seess tune` (logic in semcom_alignment.cli)
    try:
        from semcom_alignment.cli import add_alignment_commands
    except ModuleNotFoundError as exc:  # package not installed: `score` still works
        if exc.name != "semcom_alignment":
            raise
    else:
        add_alignment_commands(sub)
    return p


def _seess_options(args: argparse.Namespace) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "backend": args.backend,
        "preset": args.preset,
        "cache_dir": args.cache_dir,
    }
    for key in ("weights_dir", "sam_model", "sam_checkpoint", "clip_model", "clip_weights"):
        if getattr(args, key) is not None:
            if args.backend != "sess":
                raise CliError(f"--{key.replace('_', '-')} only applies to --backend sess")
            opts[key] = getattr(args, key)
    return opts


def _build_metrics(names: Sequence[str], args: argparse.Namespace, device: str) -> dict[str, Any]:
    from semcom_metrics.registry import available_metrics, build_metric

    metrics = {}
    for name in names:
        if name not in available_metrics():
            raise CliError(f"unknown metric '{name}'; available: {', '.join(available_metrics())}")
        opts = _seess_options(args) if name == "seess" else {}
        metrics[name] = build_metric(name, device=device, **opts)
    return metrics


def _image_files(folder: Path, label: str) -> dict[str, Path]:
    from semcom_core.imageio import ImageError, scan_images

    if not folder.is_dir():
        raise CliError(f"--{label} {folder}: not a folder")
    try:
        files = scan_images(folder, recursive=False)
    except ImageError as err:
        raise CliError(f"--{label} {err}") from None
    if not files:
        raise CliError(f"--{label} {folder}: no image files")
    return files


def _pair_mode(args: argparse.Namespace, names: list[str], device: str) -> int:
    from semcom_core.imageio import load_rgb

    if len(args.images) != 2:
        raise CliError(f"pair mode needs exactly two images, got {len(args.images)}")
    if (args.explain or args.json) and "seess" not in names:
        raise CliError("--explain and --json need the seess metric")
    a, b = (load_rgb(p) for p in args.images)
    metrics = _build_metrics(names, args, device)
    values: dict[str, float] = {}
    out: dict[str, Any] = {}
    for name, m in metrics.items():
        if name == "seess":
            model = m.model
            ga, gb = model.graph(a), model.graph(b)
            result = model.score_graphs(ga, gb)
            values[name] = float(result.score)
            if args.json:
                out = result.to_dict()
            if args.explain:
                from seess.explain import render_explanation

                render_explanation(a, b, ga, gb, result, args.explain)
        else:
            values[name] = float(m.score(a, b))
    if args.json:
        out = {
            **out,
            "reference": str(args.images[0]),
            "test": str(args.images[1]),
            "metrics": values,
            "backend": metrics["seess"].describe(),
        }
        print(json.dumps(out, indent=1, allow_nan=True))
    elif len(values) == 1:
        print(f"{next(iter(values.values())):.6f}")
    else:
        for name, v in values.items():
            print(f"{name}\t{v:.6f}")
    return 0


def _folder_mode(args: argparse.Namespace, names: list[str], device: str) -> int:
    from tqdm.auto import tqdm

    from semcom_core.fsutil import atomic_path
    from semcom_core.imageio import load_rgb

    if args.images:
        raise CliError("give either two images or --ref/--test folders, not both")
    if args.ref is None or args.test is None or args.out is None:
        raise CliError("folder mode needs --ref DIR, --test DIR and --out FILE.csv")
    if args.explain or args.json:
        raise CliError("--explain and --json apply to pair mode only")
    refs, tests = _image_files(args.ref, "ref"), _image_files(args.test, "test")
    common = sorted(set(refs) & set(tests))
    if not common:
        raise CliError(f"no file names in common between {args.ref} and {args.test}")
    unmatched = sorted(set(refs) ^ set(tests))
    if unmatched:
        print(
            f"seess: warning: {len(unmatched)} image(s) without a counterpart skipped: "
            f"{', '.join(unmatched[:5])}{' ...' if len(unmatched) > 5 else ''}",
            file=sys.stderr,
        )
    metrics = _build_metrics(names, args, device)
    ra = [load_rgb(refs[k]) for k in tqdm(common, desc="reading", leave=False)]
    ta = [load_rgb(tests[k]) for k in common]
    rows = []
    for name, m in metrics.items():
        vals = m.score_batch(ra, ta)
        backend = m.describe().get("backend", "")
        rows += [
            {
                "image": k,
                "reference": str(refs[k]),
                "test": str(tests[k]),
                "metric": name,
                "value": v,
                "metric_backend": backend,
            }
            for k, v in zip(common, vals)
        ]
    with atomic_path(args.out) as tmp, open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows ({len(common)} pairs x {len(metrics)} metrics) to {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 2 user error)."""
    args = build_parser().parse_args(argv)
    if getattr(args, "alignment_main", None) is not None:
        return int(args.alignment_main(args))
    from semcom_core.imageio import ImageError
    from semcom_core.weights import MissingWeightsError

    try:
        if args.list_metrics:
            from semcom_metrics.registry import available_metrics

            print("\n".join(available_metrics()))
            return 0
        from semcom_core.models import resolve_device

        device = resolve_device(args.device)
        names = list(dict.fromkeys(args.metrics or ["seess"]))
        if args.ref is not None or args.test is not None or args.out is not None:
            return _folder_mode(args, names, device)
        return _pair_mode(args, names, device)
    except (
        CliError,
        ImageError,
        MissingWeightsError,
        FileNotFoundError,
        ValueError,
        TypeError,
        RuntimeError,
        KeyError,
    ) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        msg = " ".join(str(msg).split())  # one line
        print(f"seess: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
