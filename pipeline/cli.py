"""``semcom``: workflow helpers that are not Snakemake rules.

``semcom fetch-weights --config configs/paper.yaml`` downloads every pretrained
file the configured run needs (into the weights folder, ``weights_dir``, or the
Hugging Face cache), verifying checksums, and lists where each file lives with
its size; ``--check`` only reports (no network). Neither needs the dataset.
Offline, the fetch fails fast: one connection attempt per host, one message.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from semcom_pipeline.config import ConfigError, load_config

__all__ = ["main"]

_HUB_ENDPOINT_ENV = "HF_ENDPOINT"


def _hub_endpoint() -> str:
    return os.environ.get(_HUB_ENDPOINT_ENV, "https://huggingface.co").rstrip("/") + "/"


def _fetch_weights(args: argparse.Namespace) -> int:
    from semcom_pipeline.weights_check import (
        HF_SOURCE,
        describe_missing,
        reachable,
        requirements_for,
        status_of,
    )

    default = args.config is None
    path = args.config or "config.yaml"
    print(f"config: {path}" + (" (the default; --config checks another)" if default else ""))
    cfg = load_config(path, check_paths=False)  # weights never need the dataset
    reqs = requirements_for(cfg)
    if not reqs:
        print(f"{path} needs no pretrained weights (metrics: {', '.join(cfg['metrics'])})")
        return 0
    offline: dict[str, str | None] = {}
    if not args.check:
        # one attempt, short timeouts: an offline machine gets one message per host, not
        # minutes of hub retries
        os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "10")
        os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "30")
        warnings.simplefilter("once")
    for req in reqs:
        st = status_of(req)
        if not st.present and not args.check:
            url = req.source
            if url.startswith(HF_SOURCE):
                url = _hub_endpoint()
                if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
                    offline[url] = "HF_HUB_OFFLINE is set"
            if url.startswith(("http://", "https://")) and url not in offline:
                offline[url] = reachable(url)
                if offline[url]:
                    print(f"offline: {offline[url]}; nothing is downloaded from there", flush=True)
            if not offline.get(url):
                print(f"fetching {req.name} from {req.source} ...", flush=True)
                try:
                    req.fetch()
                except Exception as exc:  # noqa: BLE001 - report every failure, then exit 1
                    print(f"  failed: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
                st = status_of(req)
        print(st.line())
    missing = [r for r in reqs if not r.is_present()]
    if missing:
        print(describe_missing(missing, path), file=sys.stderr)
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
        "fetch-weights",
        help="download and verify the weights the configured run needs (no dataset needed)",
    )
    fw.add_argument("--config", default=None, help="the run's config (default: config.yaml)")
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
