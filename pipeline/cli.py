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


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _profile(args: argparse.Namespace) -> int:
    from semcom_pipeline.profile import format_profile, profile_run, profile_table

    cfg = load_config(args.config)
    timer, units, jobs = profile_run(cfg, n_images=args.images, device=args.device)
    print(f"profile of {args.config} on {args.images} image(s), device {args.device}")
    print(format_profile(profile_table(timer, units, jobs), args.device))
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
    pr = sub.add_parser(
        "profile", help="time each stage of a config on a few images and extrapolate the run"
    )
    pr.add_argument("--config", default="config.yaml")
    pr.add_argument("--images", type=_positive_int, default=2, help="images to time (default 2)")
    pr.add_argument("--device", default="cpu")
    sub.add_parser("annotate", help="human-rating study: init, serve, status, export")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["annotate"]:  # its own parser, imported only when used
        from semcom_annotate.cli import main as annotate_main

        return annotate_main(argv[1:])
    args = parser.parse_args(argv)
    try:
        if args.command == "profile":
            return _profile(args)
        return _fetch_weights(args)
    except ConfigError as exc:
        print(f"semcom: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
