"""Batched vs per-block transmission of a 100 KB file over the digital link.

Prints the wall time of (a) one ``DigitalLink.transmit`` call carrying the whole
file (all ~95 LDPC blocks of k = 8448 in batched Sionna calls) and (b) a loop of
single-block calls (the same file cut into k/8-byte pieces, one block each, on
the same link object so Sionna's encoder/decoder are built once for both), and
their ratio. Both at a high SNR so the payload arrives intact. Every time is the
best of ``--rounds`` interleaved rounds (this shared 2-core VM varies by 50 %).

It also times Sionna's LDPC decoder inside both runs (forward hooks on the
cached decoder) and prints its share. Batching removes per-call costs only; the
decoder's per-block arithmetic stays, so on a machine where that arithmetic is
most of a single-block call no batching can reach a large ratio.

    .venv/bin/python benchmarks/bench_channels.py [--kb 100] [--block-bits 8448]
        [--modulation qpsk] [--device cpu] [--max-chunk-bits N] [--rounds 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from semcom_channels import DigitalLink
from semcom_channels._sionna import ldpc_blocks


class DecoderClock:
    """Accumulates the wall time spent inside a module's forward calls."""

    def __init__(self, module: torch.nn.Module, sync) -> None:
        self.total = 0.0
        self._sync = sync
        module.register_forward_pre_hook(self._start)
        module.register_forward_hook(self._stop)

    def _start(self, *_):
        self._sync()
        self._t0 = time.perf_counter()

    def _stop(self, *_):
        self._sync()
        self.total += time.perf_counter() - self._t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=int, default=100)
    ap.add_argument("--block-bits", type=int, default=8448)
    ap.add_argument("--modulation", default="qpsk")
    ap.add_argument("--snr", type=float, default=10.0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--max-chunk-bits",
        type=int,
        default=None,
        help="receiver chunk in coded bits (default: the link's per-device default)",
    )
    args = ap.parse_args()

    payload = np.random.default_rng(0).integers(0, 256, args.kb * 1000, dtype=np.uint8).tobytes()
    link = DigitalLink(
        args.modulation,
        block_bits=args.block_bits,
        device=args.device,
        progress=False,
        max_chunk_bits=args.max_chunk_bits,
    )
    piece = args.block_bits // 8
    pieces = [payload[i : i + piece] for i in range(0, len(payload), piece)]

    def sync():
        if link.device.startswith("cuda"):
            torch.cuda.synchronize()

    # warm-up: build and cache the LDPC encoder/decoder and mapping blocks
    _, rec = link.transmit(pieces[0], args.snr, seed=0)
    clock = DecoderClock(
        ldpc_blocks(rec.block_bits, rec.codeword_bits, link.device, link.num_iter, link.cn_update)[
            1
        ],
        sync,
    )

    def timed(fn):
        sync()
        clock.total = 0.0
        t0 = time.perf_counter()
        out = fn()
        sync()
        return out, time.perf_counter() - t0, clock.total

    best = {}
    for _ in range(args.rounds):
        (data, rec), *t = timed(lambda: link.transmit(payload, args.snr, seed=1))
        assert data == payload, (
            f"batched transmission did not arrive intact at {args.snr} dB: raise --snr"
        )
        best["batch"] = min(best.get("batch", t), t)
        out, *t = timed(
            lambda: b"".join(
                link.transmit(p, args.snr, seed=1 + i)[0] for i, p in enumerate(pieces)
            )
        )
        assert out == payload, "looped transmission did not arrive intact"
        best["loop"] = min(best.get("loop", t), t)

    (t_batch, d_batch), (t_loop, d_loop) = best["batch"], best["loop"]
    nb = rec.n_blocks
    per_chunk = max(1, link.max_chunk_bits // rec.codeword_bits)
    print(
        f"device={link.device} threads={torch.get_num_threads()} modulation={args.modulation} "
        f"file={len(payload)} B blocks={nb} (k={rec.block_bits}, n={rec.codeword_bits}) "
        f"receiver chunk={per_chunk} blocks, best of {args.rounds} rounds"
    )
    n_loop = len(pieces)
    print(f"batched: {t_batch:.2f} s  ({8 * len(payload) / t_batch / 1e3:.1f} kbit/s)")
    print(f"loop of {n_loop} single-block calls: {t_loop:.2f} s")
    print(f"speed-up batched / loop: {t_loop / t_batch:.2f}x")
    print(
        f"LDPC decoder per block: {1e3 * d_loop / n_loop:.1f} ms in single-block calls, "
        f"{1e3 * d_batch / nb:.1f} ms in chunks of {per_chunk} "
        f"({(d_loop / n_loop) / (d_batch / nb):.2f}x); everything else: "
        f"{1e3 * (t_loop - d_loop) / n_loop:.1f} ms per call vs "
        f"{1e3 * (t_batch - d_batch) / nb:.1f} ms per block batched "
        f"(decoder = {100 * d_loop / t_loop:.0f} % of the loop)"
    )
    print(
        f"a 5x speed-up needs <= {1e3 * t_loop / 5 / nb:.1f} ms per block batched; "
        f"the batched decoder alone takes {1e3 * d_batch / nb:.1f}"
    )


if __name__ == "__main__":
    main()
