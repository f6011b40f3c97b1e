#!/usr/bin/env python3
"""Reference ID numbers (and timings) from DADApy for one .npy file, to quote next to idscope.

Reference libraries (NOT vendored; install into a throwaway venv):

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install dadapy==0.3.4 \
        scikit-dimension==0.5.0 scikit-learn numpy scipy

Usage:

    /tmp/refvenv/bin/python scripts/compare_dadapy.py FILE.npy [--gride] [--json]
    /tmp/refvenv/bin/python scripts/compare_dadapy.py --make N D ID SEED OUT.npy

The first form loads FILE.npy (any float dtype, 2-D, rows = points), upcasts to float64 and
runs, timing each step with time.perf_counter():
  1. Data(coordinates=X, maxk=min(100, N-1)) + remove_identical_points()
  2. compute_id_2NN(algorithm='base', mu_fraction=0.9)    (the kNN search happens here)
  3. compute_id_2NN(algorithm='ml',   mu_fraction=0.9)    (reuses the distances)
  4. with --gride: return_id_scaling_gride(range_max=64) on the same object.  Because
     64 < maxk + 1, DADApy 0.3.4 REUSES the neighbour table from step 2, so this timing
     excludes the kNN search (a fresh Data object would recompute all distances with
     sklearn's chunked pairwise routine instead).
Output is a table, or JSON with --json.

The --make form writes a deterministic test dataset for timing runs: an ID-dimensional
standard Gaussian embedded in D dimensions by a random orthonormal basis (QR of a Gaussian
matrix, numpy default_rng(SEED)), saved as float32 C-order little-endian .npy.

DADApy runs its kNN search with n_jobs = all cores; set e.g. OMP_NUM_THREADS / pass
--jobs to pin it when comparing against a single-threaded idscope run.
"""

import argparse
import contextlib
import io
import json
import os
import platform
import sys
import time
import warnings

import numpy as np


def make_dataset(n, d, intrinsic, seed, out):
    if not (1 <= intrinsic <= d):
        raise SystemExit("need 1 <= ID <= D")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, intrinsic))
    q, r = np.linalg.qr(rng.standard_normal((d, intrinsic)))
    q = q * np.sign(np.diag(r))[None, :]
    x = np.ascontiguousarray((z @ q.T).astype("<f4"))
    np.save(out, x)
    return x


def run(path, gride=False, n_jobs=None):
    from dadapy import Data
    import dadapy

    x = np.load(path)
    if x.ndim != 2:
        raise SystemExit(f"{path}: expected a 2-D array, got shape {x.shape}")
    src_dtype = str(x.dtype)
    x = x.astype(np.float64)
    n, d = x.shape
    res = {
        "file": os.path.abspath(path),
        "n": int(n),
        "d": int(d),
        "source_dtype": src_dtype,
        "dadapy_version": getattr(dadapy, "__version__", None) or _version("dadapy"),
        "numpy_version": np.__version__,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "mu_fraction": 0.9,
        "timings_s": {},
    }
    log = io.StringIO()
    with warnings.catch_warnings(record=True) as wlist, contextlib.redirect_stdout(log):
        warnings.simplefilter("always")
        kw = {} if n_jobs is None else {"n_jobs": n_jobs}

        t = time.perf_counter()
        data = Data(coordinates=x, maxk=min(100, n - 1), **kw)
        data.remove_identical_points()
        res["timings_s"]["dedup"] = time.perf_counter() - t
        res["n_unique"] = int(data.N)
        res["maxk"] = int(data.maxk)

        t = time.perf_counter()
        fit, _, scale = data.compute_id_2NN(algorithm="base", mu_fraction=0.9)
        res["timings_s"]["twonn_fit_incl_knn"] = time.perf_counter() - t
        res["twonn_fit"] = _num(fit)
        res["twonn_scale"] = _num(scale)

        t = time.perf_counter()
        ml = data.compute_id_2NN(algorithm="ml", mu_fraction=0.9)[0]
        res["timings_s"]["twonn_ml"] = time.perf_counter() - t
        res["twonn_ml"] = _num(ml)

        if gride:
            t = time.perf_counter()
            ids, errs, scales = data.return_id_scaling_gride(range_max=64)
            res["timings_s"]["gride"] = time.perf_counter() - t
            res["gride"] = {
                "n1": [2 ** i for i in range(len(ids))],
                "ids": [_num(v) for v in ids],
                "errs": [_num(v) for v in errs],
                "scales": [_num(v) for v in scales],
            }
    res["timings_s"]["total"] = sum(res["timings_s"].values())
    res["dadapy_messages"] = [l for l in log.getvalue().splitlines() if l.strip()]
    res["warnings"] = sorted({f"{w.category.__name__}: {' '.join(str(w.message).split())}" for w in wlist})
    return res


def _num(v):
    v = float(v)
    return v if np.isfinite(v) else str(v)


def _version(pkg):
    try:
        from importlib.metadata import version
        return version(pkg)
    except Exception:
        return None


def print_table(res):
    print(f"file        {res['file']}")
    print(f"shape       {res['n']} x {res['d']} ({res['source_dtype']} -> float64), "
          f"unique rows {res['n_unique']}, maxk {res['maxk']}")
    print(f"dadapy      {res['dadapy_version']}  (numpy {res['numpy_version']}, "
          f"python {res['python']}, {res['cpu_count']} cpus)")
    print()
    print(f"{'quantity':<28}{'value':>14}")
    print(f"{'twonn fit (mu_frac 0.9)':<28}{_f(res['twonn_fit']):>14}")
    print(f"{'twonn ml':<28}{_f(res['twonn_ml']):>14}")
    print(f"{'twonn scale (mean r1,r2)':<28}{_f(res['twonn_scale']):>14}")
    if "gride" in res:
        g = res["gride"]
        print()
        print(f"{'gride n1':>9}{'n2':>6}{'id':>12}{'err':>12}{'scale':>12}")
        for n1, i, e, s in zip(g["n1"], g["ids"], g["errs"], g["scales"]):
            print(f"{n1:>9}{2 * n1:>6}{_f(i):>12}{_f(e):>12}{_f(s):>12}")
    print()
    print(f"{'step':<28}{'seconds':>14}")
    for k, v in res["timings_s"].items():
        print(f"{k:<28}{v:>14.4f}")
    for m in res["dadapy_messages"]:
        print(f"dadapy: {m}")
    for w in res["warnings"]:
        print(f"warning: {w}")


def _f(v):
    return f"{v:.6f}" if isinstance(v, float) else str(v)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file", nargs="?", help=".npy file (2-D, rows = points)")
    ap.add_argument("--gride", action="store_true", help="also run return_id_scaling_gride(range_max=64)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--jobs", type=int, default=None, help="n_jobs for DADApy's kNN (default: all cores)")
    ap.add_argument("--make", nargs=5, metavar=("N", "D", "ID", "SEED", "OUT.npy"),
                    help="write a seeded ID-dim Gaussian embedded in D dims (float32) and exit")
    a = ap.parse_args(argv)

    if a.make:
        n, d, k, seed = (int(v) for v in a.make[:4])
        x = make_dataset(n, d, k, seed, a.make[4])
        print(f"wrote {a.make[4]}: {x.shape[0]} x {x.shape[1]} float32, ID {k}, seed {seed}", file=sys.stderr)
        if not a.file:
            return
    if not a.file:
        ap.error("FILE.npy is required (or use --make)")
    res = run(a.file, gride=a.gride, n_jobs=a.jobs)
    if a.json:
        print(json.dumps(res, indent=1))
    else:
        print_table(res)


if __name__ == "__main__":
    main()
