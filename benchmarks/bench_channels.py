"""Batched vs per-block transmission of a 100 KB file over the digital link.

Prints the wall time of (a) one ``DigitalLink.transmit`` call carrying the whole
file (all ~97 LDPC blocks of k = 8448 in batched Sionna calls) and (b) a loop of
single-block calls (the same file cut into 1056-byte pieces, one block each),
and their ratio. Both at a high SNR so the payload arrives intact.

    .venv/bin/python benchmarks/bench_channels.py [--kb 100] [--modulation qpsk] [--device cpu]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from semcom_channels import DigitalLink


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=int, default=100)
    ap.add_argument("--modulation", default="qpsk")
    ap.add_argument("--snr", type=float, default=10.0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--max-chunk-bits", type=int, default=2**19)
    args = ap.parse_args()

    payload = np.random.default_rng(0).integers(0, 256, args.kb * 1000, dtype=np.uint8).tobytes()
    link = DigitalLink(args.modulation, block_bits=8448, device=args.device, progress=False,
                       max_chunk_bits=args.max_chunk_bits)
    piece = 8448 // 8
    pieces = [payload[i : i + piece] for i in range(0, len(payload), piece)]

    # warm-up: build and cache the LDPC encoder/decoder and mapping blocks
    link.transmit(pieces[0], args.snr, seed=0)

    def sync():
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    sync()
    t0 = time.perf_counter()
    data, rec = link.transmit(payload, args.snr, seed=1)
    sync()
    t_batch = time.perf_counter() - t0
    assert data == payload, "batched transmission did not arrive intact"

    t0 = time.perf_counter()
    out = b"".join(link.transmit(p, args.snr, seed=1 + i)[0] for i, p in enumerate(pieces))
    sync()
    t_loop = time.perf_counter() - t0
    assert out == payload, "looped transmission did not arrive intact"

    print(f"device={link.device} threads={torch.get_num_threads()} modulation={args.modulation} "
          f"file={len(payload)} B blocks={rec.n_blocks} (k={rec.block_bits}, n={rec.codeword_bits})")
    print(f"batched: {t_batch:.2f} s  ({8 * len(payload) / t_batch / 1e3:.1f} kbit/s)")
    print(f"loop of {len(pieces)} single-block calls: {t_loop:.2f} s")
    print(f"speed-up batched / loop: {t_loop / t_batch:.2f}x")


if __name__ == "__main__":
    main()
