#!/usr/bin/env python3
"""Density benchmark data and DADApy 0.3.4's times (scripts/bench.sh --density).

    density.py DIR N D

Writes DIR/x.npy (N x D float32: four Gaussian clusters in 8 dimensions, embedded by a random
linear map, plus small noise), then times DADApy as a user runs it on those points: the 100
neighbours (compute_distances), TwoNN (compute_id_2NN), k* (compute_kstar), PAk
(compute_density_PAk) and ADP (compute_clustering_ADP, Z = 1.65). Prints JSON with each step's
seconds, the ID and the number of clusters.
"""

import json
import os
import sys
import time

import numpy as np
from dadapy import Data


def main():
    out, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=4.0, size=(4, 8))
    z = centres[rng.integers(0, 4, size=n)] + rng.normal(size=(n, 8))
    x = (z @ rng.normal(size=(8, d)) + 0.05 * rng.normal(size=(n, d))).astype(np.float32)
    np.save(os.path.join(out, "x.npy"), x)
    data = Data(coordinates=x.astype(np.float64), maxk=min(n - 1, 100))
    steps = {}

    def timed(name, f):
        t0 = time.perf_counter()
        value = f()
        steps[name] = time.perf_counter() - t0
        return value

    timed("distances", lambda: data.compute_distances(maxk=min(n - 1, 100)))
    d_id = float(timed("twonn", data.compute_id_2NN)[0])
    timed("kstar", data.compute_kstar)
    timed("pak", data.compute_density_PAk)
    timed("adp", lambda: data.compute_clustering_ADP(Z=1.65))
    print(json.dumps({"steps": steps, "id": d_id, "clusters": int(data.N_clusters)}))


if __name__ == "__main__":
    main()
