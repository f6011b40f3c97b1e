#!/usr/bin/env python3
"""Build idscope's built-in demo data: per-layer activations of small ReLU MLPs on 8x8 digits.

Reference libraries (NOT vendored; install into a throwaway venv):

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install dadapy==0.3.4 \
        scikit-dimension==0.5.0 scikit-learn numpy scipy

Run (writes next to this file):

    /tmp/refvenv/bin/python www/demo/make_demo.py

Data: sklearn.datasets.load_digits() -- the UCI "Optical Recognition of Handwritten
Digits" test set (1797 8x8 images, 10 classes) that ships inside scikit-learn (BSD-3).
No download is needed.

Three networks with the same architecture (64 -> HIDDEN -> 10, ReLU, Adam):
  * digits_trained.npz    trained on the true labels
  * digits_shuffled.npz   trained on randomly permuted training labels (memorisation,
                          the contrast of Ansuini et al. 2019, Fig. 6)
  * digits_untrained.npz  the untrained network: Glorot-uniform initial weights drawn
                          exactly as scikit-learn's MLPClassifier._init_coef does with
                          the same random_state, i.e. the *initial* weights of the
                          trained network (checked against sklearn below).

For every model, the activations of EVERY layer for all 1797 samples are computed by a
manual forward pass with coefs_/intercepts_: `input` = pixels/16 (exactly what the
network saw), `hidden1..4` = after ReLU, `logits` = output pre-softmax.  Each .npz
(np.savez_compressed) holds float32 arrays in depth order plus `labels` (int64).

Deterministic: fixed split / training / permutation seeds.  Prints, as a sanity check,
the DADApy TwoNN ID (fit, mu_fraction 0.9, after remove_identical_points) of each layer.
"""

import contextlib
import io
import json
import os
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
HIDDEN = (64, 64, 32, 32)
SPLIT_SEED = 0
TEST_SIZE = 0.25
NET_SEED = 7
SHUFFLE_SEED = 11


def load():
    from sklearn.datasets import load_digits
    d = load_digits()
    x = d.data.astype(np.float64) / 16.0      # the scaling the networks see
    y = d.target.astype(np.int64)
    return x, y


def glorot_init_like_sklearn(layer_units, seed, activation="relu"):
    """Replicates sklearn MLPClassifier._initialize/_init_coef (same RNG draw order)."""
    rs = np.random.RandomState(seed)
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rs.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(rs.uniform(-bound, bound, fan_out))
    return coefs, intercepts


def forward(x, coefs, intercepts):
    acts = [x]
    h = x
    for i, (w, b) in enumerate(zip(coefs, intercepts)):
        h = h @ w + b
        if i < len(coefs) - 1:
            h = np.maximum(h, 0.0)
        acts.append(h)
    return acts


def layer_names(n_hidden):
    return ["input"] + [f"hidden{i + 1}" for i in range(n_hidden)] + ["logits"]


def accuracy(logits, y, idx):
    return float(np.mean(np.argmax(logits[idx], axis=1) == y[idx]))


def dadapy_twonn(x32):
    from dadapy import Data
    buf = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(buf):
        warnings.simplefilter("ignore")
        x64 = x32.astype(np.float64)
        d = Data(coordinates=x64, maxk=min(100, x64.shape[0] - 1))
        d.remove_identical_points()
        fit = d.compute_id_2NN(algorithm="base", mu_fraction=0.9)[0]
    return float(fit), int(d.N)


def main():
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    t0 = time.perf_counter()
    x, y = load()
    n = x.shape[0]
    idx = np.arange(n)
    tr, te = train_test_split(idx, test_size=TEST_SIZE, stratify=y, random_state=SPLIT_SEED)
    units = [x.shape[1], *HIDDEN, 10]
    names = layer_names(len(HIDDEN))

    models = []

    # --- trained on true labels -------------------------------------------------------
    clf = MLPClassifier(hidden_layer_sizes=HIDDEN, activation="relu", solver="adam",
                        alpha=1e-4, max_iter=2000, random_state=NET_SEED)
    clf.fit(x[tr], y[tr])
    acts = forward(x, clf.coefs_, clf.intercepts_)
    assert np.array_equal(np.argmax(acts[-1], axis=1), clf.predict(x))
    models.append(dict(
        file="digits_trained.npz", name="MLP digits (trained)", acts=acts,
        test_accuracy=accuracy(acts[-1], y, te), train_accuracy=accuracy(acts[-1], y, tr),
        n_iter=int(clf.n_iter_),
        description="trained on the true labels (Adam, alpha=1e-4, early stop on training-loss plateau)"))
    print(f"[{time.perf_counter() - t0:6.1f}s] trained: test acc {models[-1]['test_accuracy']:.4f}", file=sys.stderr)

    # --- trained on shuffled labels ---------------------------------------------------
    rng = np.random.default_rng(SHUFFLE_SEED)
    y_shuf = y.copy()
    y_shuf[tr] = rng.permutation(y[tr])
    clf_s = MLPClassifier(hidden_layer_sizes=HIDDEN, activation="relu", solver="adam",
                          alpha=0.0, max_iter=5000, tol=1e-6, n_iter_no_change=50,
                          random_state=NET_SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning if it hits max_iter
        clf_s.fit(x[tr], y_shuf[tr])
    acts_s = forward(x, clf_s.coefs_, clf_s.intercepts_)
    assert np.array_equal(np.argmax(acts_s[-1], axis=1), clf_s.predict(x))
    models.append(dict(
        file="digits_shuffled.npz", name="MLP digits (shuffled labels)", acts=acts_s,
        test_accuracy=accuracy(acts_s[-1], y, te),
        train_accuracy_on_shuffled_labels=accuracy(acts_s[-1], y_shuf, tr),
        n_iter=int(clf_s.n_iter_),
        description=("trained on randomly permuted training labels (alpha=0, up to 5000 epochs) to "
                     "memorise them; test accuracy is against the true labels (chance ~0.1)")))
    print(f"[{time.perf_counter() - t0:6.1f}s] shuffled: fit {models[-1]['train_accuracy_on_shuffled_labels']:.4f}"
          f" test {models[-1]['test_accuracy']:.4f}", file=sys.stderr)

    # --- untrained: sklearn's own initial weights ----------------------------------------
    coefs0, ints0 = glorot_init_like_sklearn(units, NET_SEED)
    # check: an sklearn network with the same seed after 1 epoch at lr=1e-12 has (almost) these weights
    chk = MLPClassifier(hidden_layer_sizes=HIDDEN, activation="relu", solver="adam",
                        learning_rate_init=1e-12, max_iter=1, random_state=NET_SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chk.fit(x[tr], y[tr])
    dev = max(float(np.max(np.abs(a - b))) for a, b in zip(chk.coefs_ + chk.intercepts_, coefs0 + ints0))
    assert dev < 1e-9, f"Glorot replica differs from sklearn's init: {dev}"
    acts_u = forward(x, coefs0, ints0)
    models.append(dict(
        file="digits_untrained.npz", name="MLP digits (untrained)", acts=acts_u,
        test_accuracy=accuracy(acts_u[-1], y, te), train_accuracy=accuracy(acts_u[-1], y, tr),
        n_iter=0,
        description=("untrained: Glorot-uniform weights and biases U(-b, b), b = sqrt(6/(fan_in+fan_out)), "
                     "drawn exactly as sklearn MLPClassifier does with random_state=%d "
                     "(= the trained network's initial weights)" % NET_SEED)))

    # --- write ---------------------------------------------------------------------------
    manifest = {
        "dataset": {
            "name": "UCI Optical Recognition of Handwritten Digits (8x8), as shipped with scikit-learn",
            "loader": "sklearn.datasets.load_digits()",
            "n_samples": int(n),
            "input_scaling": "pixel / 16 (values in [0, 1])",
            "split": {"test_size": TEST_SIZE, "stratified": True, "random_state": SPLIT_SEED,
                      "n_train": int(len(tr)), "n_test": int(len(te))},
        },
        "architecture": {"layer_units": units, "activation": "relu", "output": "logits (pre-softmax)"},
        "models": [],
    }
    table = []
    for m in models:
        arrays = {nm: np.ascontiguousarray(a.astype("<f4")) for nm, a in zip(names, m["acts"])}
        np.savez_compressed(os.path.join(HERE, m["file"]), **arrays, labels=y.astype("<i8"))
        ids = []
        for nm in names:
            fit, n_unique = dadapy_twonn(arrays[nm])
            ids.append({"layer": nm, "width": int(arrays[nm].shape[1]), "n_unique": n_unique,
                        "twonn_fit": round(fit, 4)})
        table.append((m["name"], ids))
        entry = {"file": m["file"], "name": m["name"], "test_accuracy": round(m["test_accuracy"], 4)}
        for k in ("train_accuracy", "train_accuracy_on_shuffled_labels"):
            if k in m:
                entry[k] = round(m[k], 4)
        entry.update({
            "epochs": m["n_iter"],
            "layers": names,
            "widths": [int(arrays[nm].shape[1]) for nm in names],
            "description": m["description"],
            "dadapy_twonn_fit": ids,
        })
        manifest["models"].append(entry)
        print(f"[{time.perf_counter() - t0:6.1f}s] wrote {m['file']} "
              f"({os.path.getsize(os.path.join(HERE, m['file'])) / 1e6:.2f} MB)", file=sys.stderr)

    manifest["dadapy_note"] = ("dadapy_twonn_fit: DADApy 0.3.4 Data(X.astype(float64), maxk=100)."
                               "remove_identical_points(); compute_id_2NN(algorithm='base', mu_fraction=0.9)")
    with open(os.path.join(HERE, "demo.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    # --- summary ---------------------------------------------------------------------------
    print("| model | test acc | " + " | ".join(f"{nm} ({w})" for nm, w in zip(names, units)) + " |")
    print("|---|---|" + "---|" * len(names))
    for m, (nm, ids) in zip(models, table):
        cells = []
        for r in ids:
            c = f"{r['twonn_fit']:.2f}"
            if r["n_unique"] < n:
                c += f" ({n - r['n_unique']} dup)"
            cells.append(c)
        print(f"| {nm} | {m['test_accuracy']:.4f} | " + " | ".join(cells) + " |")
    total = sum(os.path.getsize(os.path.join(HERE, m["file"])) for m in models)
    print(f"total npz size: {total / 1e6:.2f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
