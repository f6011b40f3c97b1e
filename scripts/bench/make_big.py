#!/usr/bin/env python3
"""Writes a large float32 .npy quickly for the streamed-path benchmark (issue 7, item 4).

    python3 scripts/bench/make_big.py OUT.npy [N] [D] [d]

N points (default 2000) on a d-dimensional linear manifold (default 8) in D coordinates
(default 600 000: 2000 × 600 000 × 4 B = 4.47 GiB, over 4 GiB). Each row is latent · map with a
seeded Gaussian map generated one column block at a time, so memory stays at N × block; only
the standard library and NumPy are needed. The expected TwoNN ID is about d.
"""
import sys

import numpy as np


def main() -> None:
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    dim = int(sys.argv[3]) if len(sys.argv) > 3 else 600_000
    d = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    rng = np.random.default_rng(0)
    latent = rng.uniform(size=(n, d))
    arr = np.lib.format.open_memmap(out, mode="w+", dtype="<f4", shape=(n, dim))
    block = 16_384
    for c0 in range(0, dim, block):
        c1 = min(dim, c0 + block)
        arr[:, c0:c1] = (latent @ rng.standard_normal((d, c1 - c0))).astype("<f4")
    arr.flush()
    print(f"{out}: {n} x {dim} float32, {arr.nbytes / 2**30:.2f} GiB, ID ~ {d}")


if __name__ == "__main__":
    main()
