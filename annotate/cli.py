"""``semcom annotate``: create, serve and export a human-rating study.

Examples::

    semcom annotate init study/ --from-run results/ --n 200 --seed 0
    semcom annotate serve study/                     # http://127.0.0.1:8765/ (sign in by name)
    semcom annotate add-rater study/ alice bob       # personal links (needed with --host 0.0.0.0)
    semcom annotate status study/
    semcom annotate export study/ --out ratings/     # ratings.csv, triplets.csv, summary.csv ...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from semcom_annotate.store import ServerBusyError
from semcom_annotate.study import StudyError

__all__ = ["build_parser", "main"]


def _init(args: argparse.Namespace) -> int:
    from semcom_annotate.store import create_store
    from semcom_annotate.study import (
        DB_NAME,
        IMAGES_DIR,
        Scale,
        StudyConfig,
        build_items,
        collect_candidates,
        copy_images,
        write_config,
    )

    study = Path(args.study)
    if (study / DB_NAME).exists():
        raise StudyError(f"{study} already holds a study ({DB_NAME}); answers are never replaced")
    if study.exists() and any(study.iterdir()):
        raise StudyError(f"{study}: folder exists and is not empty; choose a new study folder")
    kind, root = (
        ("run", Path(args.from_run)) if args.from_run else ("folder", Path(args.from_folder))
    )
    if kind == "run" and (root / "results" / "originals").is_dir():
        root = root / "results"
    n = args.n if args.n is not None else (200 if kind == "run" else None)
    candidates = collect_candidates(root, args.exclude)
    attention = {"identical": args.identical, "repeat": args.repeat}
    items = build_items(candidates, n, args.seed, attention)
    instructions = {}
    if args.instructions:
        instructions["instructions"] = Path(args.instructions).read_text()
    config = StudyConfig(
        name=args.name or study.resolve().name,
        seed=args.seed,
        scale=Scale(min=args.scale[0], max=args.scale[1], step=args.scale[2]),
        ask_closer=not args.no_closer,
        attention=attention,
        source={"kind": kind, "path": str(root.resolve()), "n": n, "exclude": args.exclude},
        **instructions,
    )
    study.mkdir(parents=True, exist_ok=True)
    rels = [p for it in items for p in (it.ref, it.test0, it.test1)]
    copy_images(root, rels, study / IMAGES_DIR)
    write_config(study, config)
    create_store(study, items, args.seed)
    n_main = sum(it.kind == "main" for it in items)
    if n is not None and n_main < n:
        print(f"note: only {n_main} distinct triplets exist in {root} (asked for {n})")
    print(
        f"study {study}: {n_main} triplets + {len(items) - n_main} attention checks from "
        f"{len(candidates)} originals; serve it with `semcom annotate serve {study}`"
    )
    return 0


def _add_rater(args: argparse.Namespace) -> int:
    from semcom_annotate.store import Store

    store = Store(args.study)
    for name in args.names:
        rater = store.add_rater(name)
        print(f"{rater.name}: {args.base_url.rstrip('/')}/r/{rater.token}/")
    return 0


def _status(args: argparse.Namespace) -> int:
    from semcom_annotate.store import Store

    store = Store(args.study)
    total = store.total()
    raters = store.raters()
    if not raters:
        print(f"{total} screens per rater; no raters yet")
    for rater in raters:
        print(f"{rater.name}: {store.n_answered(rater)} / {total}  (/r/{rater.token}/)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import logging

    from werkzeug.serving import make_server

    from semcom_annotate.app import LOOPBACK_HOSTS, create_app, missing_images
    from semcom_annotate.store import Store, serving_lock
    from semcom_annotate.study import load_config

    study = Path(args.study)
    load_config(study)
    store = Store(study)
    missing = missing_images(study, store)
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""
        )
        raise StudyError(f"{study}: {len(missing)} image(s) missing under images/: {shown}")
    open_signin = args.host in LOOPBACK_HOSTS
    with serving_lock(study):
        app = create_app(study, open_signin=open_signin)
        if not args.verbose:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server(args.host, args.port, app, threaded=True)
        host = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{host}:{server.server_port}"
        print(f"serving {study} on {url}/", flush=True)
        if open_signin:
            print("raters sign in by name at that address; personal links:", flush=True)
        else:
            print(
                "exposed beyond loopback (plain HTTP: use a trusted network or a TLS proxy); "
                "raters need their personal links:",
                flush=True,
            )
        for rater in store.raters():
            print(f"  {rater.name}: {url}/r/{rater.token}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


def _export(args: argparse.Namespace) -> int:
    from semcom_annotate.export import export_study

    written = export_study(args.study, args.out, min_attention=args.min_attention)
    for name, path in written.items():
        print(f"{name:14s} {path}")
    return 0


def build_parser(prog: str = "semcom annotate") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)

    p = sub.add_parser("init", help="create a study folder from images or a finished run")
    p.add_argument("study", help="new (or empty) study folder")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--from-folder",
        metavar="DIR",
        help="DIR/originals/<image>.* and candidates with the same names in other folders",
    )
    src.add_argument(
        "--from-run", metavar="RESULTS_DIR", help="a finished workflow run's results/ folder"
    )
    p.add_argument("--n", type=int, help="number of triplets (default: all; 200 from a run)")
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="leave out condition folders matching this shell pattern (repeatable), e.g. 'D/*/s0'",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name", help="study name shown to raters (default: the folder name)")
    p.add_argument(
        "--scale",
        type=float,
        nargs=3,
        default=(0.0, 10.0, 1.0),
        metavar=("MIN", "MAX", "STEP"),
        help="rating scale (default 0 10 1); exported normalised to [0, 1]",
    )
    p.add_argument("--instructions", metavar="FILE", help="text file with the instructions")
    p.add_argument("--identical", type=int, default=1, help="attention checks: identical image")
    p.add_argument("--repeat", type=int, default=1, help="attention checks: repeated screen")
    p.add_argument("--no-closer", action="store_true", help="do not ask which one is closer")
    p.set_defaults(func=_init)

    p = sub.add_parser("add-rater", help="create raters and print their personal links")
    p.add_argument("study")
    p.add_argument("names", nargs="+")
    p.add_argument("--base-url", default="http://127.0.0.1:8765")
    p.set_defaults(func=_add_rater)

    p = sub.add_parser("status", help="progress of each rater")
    p.add_argument("study")
    p.set_defaults(func=_status)

    p = sub.add_parser("serve", help="serve the rating page")
    p.add_argument("study")
    p.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine only)")
    p.add_argument("--port", type=int, default=8765, help="default 8765; 0 picks a free port")
    p.add_argument("--verbose", action="store_true", help="log every request")
    p.set_defaults(func=_serve)

    p = sub.add_parser("export", help="write ratings.csv, triplets.csv, summary.csv ...")
    p.add_argument("study")
    p.add_argument("--out", required=True, help="output folder (images are copied into it)")
    p.add_argument(
        "--min-attention",
        type=float,
        metavar="RATE",
        help="leave out raters whose attention-check pass rate is below RATE (0-1)",
    )
    p.set_defaults(func=_export)
    return parser


def main(argv: list[str] | None = None, prog: str = "semcom annotate") -> int:
    args = build_parser(prog).parse_args(argv)
    try:
        return int(args.func(args))
    except (StudyError, ServerBusyError, OSError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
