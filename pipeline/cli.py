"""``semcom``: workflow helpers that are not Snakemake rules.

``semcom fetch-weights --config config.yaml`` downloads every pretrained file the
configured run needs into the weights folder (``weights_dir``), verifying
checksums, and reports what is present; ``--check`` only reports (no network).
"""

from __future__ import annotations

import argparse
import sys

from semcom_pipeline.config import ConfigError, load_config

__all__ = ["main"]


def _fetch_weights(args: argparse.Namespace) -> int:
    from semcom_pipeline.weights_check import describe_missing, requirements_for

    cfg = load_config(args.config)
    reqs = requirements_for(cfg)
    if not reqs:
        print("this configuration needs no pretrained weights")
        return 0
    failed = []
    for req in reqs:
        if not req.is_present() and not args.check:
            print(f"fetching {req.name} from {req.source} ...", flush=True)
            try:
                req.fetch()
            except Exception as exc:  # noqa: BLE001 - report every failure, then exit non-zero
                print(f"  failed: {exc}", file=sys.stderr)
        status = "present" if req.is_present() else "MISSING"
        print(f"{status:8s} {req.name}: {req.location}")
        if status == "MISSING":
            failed.append(req)
    if failed:
        print(describe_missing(failed), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="semcom", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fw = sub.add_parser(
        "fetch-weights", help="download and verify the weights the configured run needs"
    )
    fw.add_argument("--config", default="config.yaml")
    fw.add_argument(
        "--check", action="store_true", help="only report what is present (no downloads)"
    )
    sub.add_parser("annotate", help="human-rating study: init, serve, status, export")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["annotate"]:  # its own parser, imported only when used
        from semcom_annotate.cli import main as annotate_main

        return annotate_main(argv[1:])
    args = parser.parse_args(argv)
    try:
        return _fetch_weights(args)
    except ConfigError as exc:
        print(f"semcom: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
