"""BLER of the rate-1/2 digital link per modulation over an Es/N0 grid (for the schedule).

Prints, per block length and modulation, ``Es/N0:block_errors/blocks`` and the lowest
Es/N0 of the grid with BLER <= 1e-2. Use a GPU if you have one.

    .venv/bin/python benchmarks/bler_channels.py --device cuda --blocks 200
"""

from __future__ import annotations

import argparse

import numpy as np

from semcom_channels import DigitalLink

GRIDS = {
    "bpsk": np.arange(-3.0, 1.01, 0.25),
    "qpsk": np.arange(0.0, 4.01, 0.25),
    "16qam": np.arange(5.0, 10.01, 0.25),
    "64qam": np.arange(9.0, 15.01, 0.25),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--blocks", type=int, default=100)
    ap.add_argument("--block-bits", type=int, nargs="+", default=[8448, 2000])
    args = ap.parse_args()
    rng = np.random.default_rng(5)
    for kb in args.block_bits:
        payload = rng.integers(0, 256, args.blocks * kb // 8, dtype=np.uint8).tobytes()
        for mod, grid in GRIDS.items():
            link = DigitalLink(mod, block_bits=kb, device=args.device, progress=False)
            cells, first_ok = [], None
            for j, snr in enumerate(grid):
                _, rec = link.transmit(payload, float(snr), seed=1000 + j)
                cells.append(f"{snr:.2f}:{rec.block_errors}/{rec.n_blocks}")
                if first_ok is None and rec.block_errors <= 0.01 * rec.n_blocks:
                    first_ok = float(snr)
            print(
                f"k={kb} {mod}: BLER<=1e-2 from Es/N0 {first_ok} dB | " + " ".join(cells),
                flush=True,
            )


if __name__ == "__main__":
    main()
