#!/usr/bin/env python3
"""Information imbalance benchmark data and DADApy 0.3.4's times (scripts/bench.sh --imbalance).

    imbalance.py DIR N D

Writes DIR/a.npy (N x D float32: a 10-dimensional Gaussian embedded by a random linear map, plus
small noise) and DIR/b.npy (tanh of another random linear map of it: a second representation of
the same points), then times DADApy's MetricComparisons(a).return_information_imbalace(b, k=1)
twice: as DADApy runs it by default (subsets of 2000 points, N // 2000 of them) and on all N
points at once (subset_size = N, the complete ranks idscope computes). Prints JSON.
"""

import json
import os
import sys
import time

import numpy as np
from dadapy import MetricComparisons


def main():
    out, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(0)
    z = rng.normal(size=(n, 10))
    a = (z @ rng.normal(size=(10, d)) + 0.05 * rng.normal(size=(n, d))).astype(np.float32)
    b = np.tanh(a @ (rng.normal(size=(d, d)) / np.sqrt(d))).astype(np.float32)
    np.save(os.path.join(out, "a.npy"), a)
    np.save(os.path.join(out, "b.npy"), b)
    times = {}
    for name, subset in (("dadapy_subsets", 2000), ("dadapy_all", n)):
        mc = MetricComparisons(coordinates=a.astype(np.float64), maxk=min(n - 1, 100))
        t0 = time.perf_counter()
        ab, ba = mc.return_information_imbalace(b.astype(np.float64), k=1, subset_size=subset)
        times[name] = {"seconds": time.perf_counter() - t0, "a_to_b": float(ab[0]), "b_to_a": float(ba[0])}
    print(json.dumps(times))


if __name__ == "__main__":
    main()
