"""``seess`` command line: score image pairs with SeSS (and any registered metric).

    seess score A.png B.png [--explain out.png] [--json] [--backend sess|sess-lite]
                [--preset paper|official] [--metric NAME ...]
    seess score --ref DIR --test DIR --out scores.csv [--metric NAME ...]

Pair mode prints the value (or ``name<TAB>value`` lines with several metrics,
or one JSON object with ``--json``: every metric's value, the errors of those
that failed and, with SeSS, its full explanation). Folder mode pairs files of
the two folders by file stem (``ref/cat.png`` with ``test/cat.jpg``) and
writes one tidy CSV row per (image, metric) as each pair completes; a pair or
metric that fails gets a row with an empty value and the reason in ``error``,
and is listed on stderr with its file names.

Every argument, input file and output location is checked before any model
library (torch) is imported, so a typo fails at once. Exit codes: 0 all
scored; 1 some metric or pair failed (the others are reported); 2 nothing
done: a user error (missing file, unreadable image, missing weights, bad
option, unwritable output), printed as one line.

The default backend ``sess`` is the paper's (SAM + OpenCLIP, needs the
weights: ``semcom fetch-weights``); ``--backend sess-lite`` runs offline with
no weights (its values are not the paper's).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main"]

_EXPLAIN_SUFFIXES = (".png", ".pdf")
_FIELDS = ["image", "reference", "test", "metric", "value", "metric_backend", "error"]


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
        help="SeSS backend set (default sess: SAM + OpenCLIP, the paper's, needs weights; "
        "sess-lite: offline, no weights, values not the paper's)",
    )
    s.add_argument(
        "--preset",
        default="paper",
        help="paper (default), official, or a preset file (.yaml/.json)",
    )
    s.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    s.add_argument(
        "--json",
        action="store_true",
        help="pair mode: print every metric (and SeSS's explanation) as one JSON object",
    )
    s.add_argument(
        "--explain",
        type=Path,
        metavar="OUT",
        help="pair mode: write SeSS's explanation image (.png/.pdf)",
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


def _one_line(exc: BaseException) -> str:
    msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(str(msg).split()) or type(exc).__name__


# ---------------------------------------------------------------- checks (no heavy imports)


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


def _check_names(names: Sequence[str]) -> None:
    from semcom_metrics.registry import available_metrics

    for name in names:
        if name not in available_metrics():
            raise CliError(f"unknown metric '{name}'; available: {', '.join(available_metrics())}")


def _check_input(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise CliError(f"{p}: no such file")
    if not p.is_file():
        raise CliError(f"{p}: not a file")
    if not os.access(p, os.R_OK):
        raise CliError(f"{p}: not readable (permission denied)")
    return p


def check_output(path: Path, flag: str) -> None:
    """Fail now, before any work, when ``path`` cannot be written (a folder, no permission,
    a read-only file system)."""
    if path.is_dir():
        raise CliError(f"{flag} {path}: is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CliError(f"{flag} {path}: {existing} is not a folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise CliError(f"{flag} {path}: the file is not writable")
    if existing == parent:  # probe: os.access misses read-only mounts and ACLs on some systems
        try:
            fd, probe = tempfile.mkstemp(prefix=".seess-probe-", dir=parent)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise CliError(f"{flag} {path}: cannot write in {parent} ({reason})") from None
        os.close(fd)
        os.unlink(probe)
    elif not os.access(existing, os.W_OK):
        raise CliError(f"{flag} {path}: cannot create {parent} (no write permission in {existing})")


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


def _check_pair_args(args: argparse.Namespace, names: list[str]) -> tuple[Path, Path]:
    if len(args.images) != 2:
        raise CliError(f"pair mode needs exactly two images, got {len(args.images)}")
    if args.explain and "seess" not in names:
        raise CliError("--explain needs the seess metric")
    if args.explain is not None:
        check_output(args.explain, "--explain")
        if args.explain.suffix.lower() not in _EXPLAIN_SUFFIXES:
            raise CliError(f"--explain {args.explain}: use a .png or .pdf file name")
    a, b = (_check_input(p) for p in args.images)
    return a, b


def _check_folder_args(args: argparse.Namespace) -> tuple[dict[str, Path], dict[str, Path]]:
    if args.images:
        raise CliError("give either two images or --ref/--test folders, not both")
    if args.ref is None or args.test is None or args.out is None:
        raise CliError("folder mode needs --ref DIR, --test DIR and --out FILE.csv")
    if args.explain or args.json:
        raise CliError("--explain and --json apply to pair mode only")
    check_output(args.out, "--out")
    return _image_files(args.ref, "ref"), _image_files(args.test, "test")


# ---------------------------------------------------------------- work


def _lite_hint(argv: Sequence[str]) -> str:
    """The same command with ``--backend sess-lite`` (offline, no weights)."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a == "--backend":
            skip = True
            continue
        if a.startswith("--backend="):
            continue
        out.append(a)
    return shlex.join(["seess", *out, "--backend", "sess-lite"])


def _hinted(exc: Exception, name: str, args: argparse.Namespace, argv: Sequence[str]) -> Exception:
    """Missing SeSS weights: the same error, plus the exact command that runs offline."""
    from semcom_core.weights import MissingWeightsError

    if isinstance(exc, MissingWeightsError) and name == "seess" and args.backend == "sess":
        hint = f" To score offline without weights (values are not the paper's): {_lite_hint(argv)}"
        return MissingWeightsError(f"{_one_line(exc)}{hint}")
    return exc


def _build(name: str, args: argparse.Namespace, device: str, argv: Sequence[str]) -> Any:
    from semcom_core.weights import MissingWeightsError
    from semcom_metrics.registry import build_metric

    opts = _seess_options(args) if name == "seess" else {}
    try:
        metric = build_metric(name, device=device, **opts)
        missing = [r for r in metric.required_weights() if not r.is_present()]
        if missing:  # before any image is read or any model loads (no network either)
            where = "; ".join(
                f"{r.name} expected at {r.location} (from {r.source})" for r in missing
            )
            raise MissingWeightsError(
                f"{name}: pretrained weights missing: {where}. "
                "Fetch them with `semcom fetch-weights` on a machine with internet access."
            )
        return metric
    except MissingWeightsError as exc:
        raise _hinted(exc, name, args, argv) from None


def _pair_mode(args: argparse.Namespace, names: list[str], device: str, argv) -> int:
    from semcom_core.imageio import load_rgb

    ref_path, test_path = _check_pair_args(args, names)
    a, b = load_rgb(ref_path), load_rgb(test_path)
    values: dict[str, float] = {}
    errors: dict[str, str] = {}
    detail: dict[str, Any] = {}
    for name in names:
        try:
            m = _build(name, args, device, argv)
            if name == "seess":
                result = (
                    m.model.explain(a, b, args.explain) if args.explain else m.model.score(a, b)
                )
                values[name] = float(result.score)
                detail = {**result.to_dict(), "backend": m.describe()}
            else:
                values[name] = float(m.score(a, b))
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # one metric's failure must not hide the others
            exc = _hinted(exc, name, args, argv)
            if len(names) == 1:
                raise exc from None
            errors[name] = _one_line(exc)
    if not values:
        raise CliError("; ".join(f"{k}: {v}" for k, v in errors.items()))
    for name, msg in errors.items():
        print(f"seess: {name} failed: {msg}", file=sys.stderr)
    if args.json:
        out = {
            **detail,
            "reference": str(ref_path),
            "test": str(test_path),
            "metrics": {n: values.get(n, math.nan) for n in names},
            "errors": errors,
        }
        print(json.dumps(out, indent=1, allow_nan=True))
    elif len(names) == 1:
        print(f"{values[names[0]]:.6f}")
    else:
        for name in names:
            print(f"{name}\t{values.get(name, math.nan):.6f}")
    return 1 if errors else 0


def _folder_mode(args: argparse.Namespace, names: list[str], device: str, argv) -> int:
    from tqdm.auto import tqdm

    from semcom_core.imageio import load_rgb

    refs, tests = _check_folder_args(args)
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
    metrics: dict[str, Any] = {}
    broken: dict[str, str] = {}
    for name in names:
        try:
            metrics[name] = _build(name, args, device, argv)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # report it on every row, keep the others
            if len(names) == 1:
                raise
            broken[name] = _one_line(exc)
    if not metrics:
        raise CliError("; ".join(f"{k}: {v}" for k, v in broken.items()))
    backends = {n: m.describe().get("backend", "") for n, m in metrics.items()}
    failures: list[str] = []
    n_ok = 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Rows are written as each pair completes (flushed), so an interrupted run keeps them.
    with open(args.out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=_FIELDS)
        w.writeheader()
        fh.flush()
        for key in tqdm(common, desc="pairs", unit="pair", dynamic_ncols=True):
            base = {"image": key, "reference": str(refs[key]), "test": str(tests[key])}
            where = f"{key} ({refs[key]}, {tests[key]})"
            pair: tuple[Any, Any] | None = None
            try:
                pair = load_rgb(refs[key]), load_rgb(tests[key])
            except Exception as exc:  # noqa: BLE001 - a bad file fails its pair only
                pair_error = _one_line(exc)
            for name in names:
                error = broken.get(name, "")
                value: float | str = ""
                if not error and pair is None:
                    error = pair_error
                elif not error and pair is not None:
                    a, b = pair
                    try:
                        value = float(metrics[name].score(a, b))
                        n_ok += 1
                    except (KeyboardInterrupt, SystemExit):
                        raise
                    except Exception as exc:  # noqa: BLE001 - keep every pair that scored
                        error = _one_line(exc)
                if error:
                    failures.append(f"{where} {name}: {error}")
                row = {**base, "metric": name, "value": value, "error": error}
                w.writerow({**row, "metric_backend": backends.get(name, "")})
            fh.flush()
    for line in failures:
        print(f"seess: failed: {line}", file=sys.stderr)
    print(
        f"wrote {len(common) * len(names)} rows ({len(common)} pairs x {len(names)} metrics, "
        f"{len(failures)} failed) to {args.out}"
    )
    if failures and n_ok == 0:
        return 2
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 partial, 2 user error or nothing scored)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if getattr(args, "alignment_main", None) is not None:
        return int(args.alignment_main(args))
    try:
        if args.list_metrics:
            from semcom_metrics.registry import available_metrics

            print("\n".join(available_metrics()))
            return 0
        names = list(dict.fromkeys(args.metrics or ["seess"]))
        _check_names(names)
        if "seess" in names:
            _seess_options(args)
        folder = args.ref is not None or args.test is not None or args.out is not None
        # everything the user typed is checked before the first heavy import (torch)
        if folder:
            _check_folder_args(args)
        else:
            _check_pair_args(args, names)
        from semcom_core.models import resolve_device

        device = resolve_device(args.device)
        if folder:
            return _folder_mode(args, names, device, argv)
        return _pair_mode(args, names, device, argv)
    except (CliError, OSError, ValueError, TypeError, RuntimeError, KeyError) as exc:
        print(f"seess: error: {_one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
