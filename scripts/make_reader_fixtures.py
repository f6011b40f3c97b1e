#!/usr/bin/env python3
"""Writes the reader fixtures in tests/fixtures/readers/ with the real writers (numpy, the
safetensors package, TSV as the TensorFlow Embedding Projector documents it) and, next to them,
manifest.json: for every file, the layers and labels idscope must read, with the expected values
as float32 bit patterns (u32) so the Rust test (tests/readers_fixtures.rs) compares bit for bit.

Environment (what wrote the committed fixtures):
    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install numpy==1.26.4 safetensors==0.8.0 ml_dtypes==0.5.4
    /tmp/refvenv/bin/python scripts/make_reader_fixtures.py

Expected values are `array.astype(np.float32)` flattened per point as `reshape(N, -1)` (C order;
for Fortran-ordered arrays of 3+ dimensions, `order="F"`, which is how idscope flattens them
without reordering memory: a permutation of features, which no distance depends on).
"""

import json
import os
import shutil

import ml_dtypes
import numpy as np
from safetensors.numpy import save_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "readers")
rng = np.random.default_rng(20240531)
cases = []


def bits(a, order="C"):
    a = np.asarray(a)
    n = a.shape[0]
    flat = a.reshape(n, -1, order=order).astype(np.float32)
    return {"rows": int(flat.shape[0]), "cols": int(flat.shape[1]),
            "f32_bits": [int(x) for x in flat.view(np.uint32).ravel()]}


def labels_of(values):
    values = list(values)
    if all(isinstance(v, (int, np.integer)) for v in values):
        classes = sorted(set(int(v) for v in values))
        names = [str(c) for c in classes]
        ids = [classes.index(int(v)) for v in values]
    else:
        classes = sorted(set(str(v) for v in values))  # fixtures use names where natural == plain order
        names = classes
        ids = [classes.index(str(v)) for v in values]
    return {"names": names, "ids": ids}


def layer(name, a, order="C"):
    d = bits(a, order)
    d["name"] = name
    return d


def case(path, fmt, layers, labels=None, files=None):
    cases.append({"path": path, "format": fmt, "layers": layers, "labels": labels, "files": files})


def p(*parts):
    return os.path.join(ROOT, *parts)


def main():
    if os.path.isdir(ROOT):
        for entry in os.listdir(ROOT):
            if entry == "regressions":
                continue
            full = p(entry)
            shutil.rmtree(full) if os.path.isdir(full) else os.remove(full)
    os.makedirs(ROOT, exist_ok=True)

    # --- .npy -------------------------------------------------------------------------------
    a = rng.standard_normal((7, 5)).astype(np.float32)
    np.save(p("f4_c.npy"), a)
    case("f4_c.npy", "npy", [layer("f4_c", a)])

    a = rng.standard_normal((6, 4))
    np.save(p("f8_c.npy"), a)
    case("f8_c.npy", "npy", [layer("f8_c", a)])

    a = rng.standard_normal((8, 3)).astype(np.float16)
    a[0, :] = [np.float16(6e-8), np.float16(-0.0), np.float16(65504)]  # subnormal, -0, max
    np.save(p("f2.npy"), a)
    case("f2.npy", "npy", [layer("f2", a)])

    a = rng.standard_normal((5, 4)).astype(">f4")
    np.save(p("f4_be.npy"), a)
    case("f4_be.npy", "npy", [layer("f4_be", a)])

    a = rng.standard_normal((5, 3)).astype(">f8")
    np.save(p("f8_be.npy"), a)
    case("f8_be.npy", "npy", [layer("f8_be", a)])

    a = np.asfortranarray(rng.standard_normal((6, 5)).astype(np.float32))
    np.save(p("f4_fortran.npy"), a)
    case("f4_fortran.npy", "npy", [layer("f4_fortran", a)])

    a = np.asfortranarray(rng.standard_normal((5, 3, 2)).astype(np.float32))
    np.save(p("f4_fortran_3d.npy"), a)
    case("f4_fortran_3d.npy", "npy", [layer("f4_fortran_3d", a, order="F")])

    a = rng.standard_normal((5, 2, 3)).astype(np.float32)
    np.save(p("f4_3d.npy"), a)
    case("f4_3d.npy", "npy", [layer("f4_3d", a)])

    for t in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", ">i4", ">u2"]:
        info = np.iinfo(np.dtype(t))
        a = rng.integers(info.min, info.max, size=(4, 3), dtype=np.dtype(t).newbyteorder("="), endpoint=True)
        a[0, 0], a[0, 1] = info.min, info.max
        a = a.astype(t)
        name = t.replace(">", "be_")
        np.save(p(f"{name}.npy"), a)
        case(f"{name}.npy", "npy", [layer(name, a)])

    a = rng.random((5, 2)) > 0.5
    np.save(p("bool.npy"), a)
    case("bool.npy", "npy", [layer("bool", a)])

    for version in [(2, 0), (3, 0)]:
        a = rng.standard_normal((4, 3)).astype(np.float32)
        name = f"v{version[0]}"
        with open(p(f"{name}.npy"), "wb") as f:
            np.lib.format.write_array(f, a, version=version)
        case(f"{name}.npy", "npy", [layer(name, a)])

    y = np.array([3, 1, 4, 1, 5, 9, 2], dtype=np.int64)
    np.save(p("labels_int.npy"), y)
    case("labels_int.npy", "npy", [], labels_of(y))

    y = np.array(["cat", "dog", "bird", "cat", "dog"])
    np.save(p("labels_str.npy"), y)
    case("labels_str.npy", "npy", [], labels_of(y))

    # --- .npz -------------------------------------------------------------------------------
    conv1 = rng.standard_normal((6, 2, 2)).astype(np.float32)
    layer10 = rng.standard_normal((6, 3)).astype(np.float16)
    layer2 = rng.standard_normal((6, 4))
    y = np.array([0, 1, 0, 2, 1, 2], dtype=np.int32)
    expected = [layer("conv1", conv1), layer("layer10", layer10), layer("layer2", layer2)]
    np.savez(p("savez.npz"), conv1=conv1, layer10=layer10, layer2=layer2, labels=y)
    case("savez.npz", "npz", expected, labels_of(y))
    np.savez_compressed(p("savez_compressed.npz"), conv1=conv1, layer10=layer10, layer2=layer2, labels=y)
    case("savez_compressed.npz", "npz", expected, labels_of(y))

    a0 = np.asfortranarray(rng.standard_normal((5, 4)).astype(np.float32))
    a1 = rng.standard_normal((5, 2)).astype(">f8")
    y = np.array(["b", "a", "b", "c", "a"])
    np.savez_compressed(p("positional.npz"), a0, a1, y=y)
    case("positional.npz", "npz", [layer("arr_0", a0), layer("arr_1", a1)], labels_of(y))

    # --- safetensors ------------------------------------------------------------------------
    t1 = rng.standard_normal((4, 3)).astype(np.float32)
    t2 = rng.standard_normal((4, 2, 2)).astype(np.float16)
    t10 = rng.standard_normal((4, 5)).astype(ml_dtypes.bfloat16)
    y = np.array([1, 0, 1, 1], dtype=np.int64)
    save_file({"layer.10": t10, "layer.2": t2, "layer.1": t1, "labels": y}, p("mixed.safetensors"),
              metadata={"model": "fixture", "note": "F16/BF16/F32"})
    case("mixed.safetensors", "safetensors",
         [layer("layer.1", t1), layer("layer.2", t2), layer("layer.10", t10.astype(np.float32))], labels_of(y))

    # --- text: the Embedding Projector's tensors.tsv + metadata.tsv -------------------------
    def write_tsv(path, a, sep="\t"):
        with open(path, "w") as f:
            for row in a:
                f.write(sep.join(repr(float(v)) for v in row) + "\n")

    os.makedirs(p("projector"), exist_ok=True)
    a = rng.standard_normal((6, 4)).astype(np.float32)
    write_tsv(p("projector", "tensors.tsv"), a)
    names = ["cat", "dog", "cat", "bird", "dog", "cat"]
    with open(p("projector", "metadata.tsv"), "w") as f:
        f.write("label\tsplit\n")
        for i, n in enumerate(names):
            f.write(f"{n}\t{'train' if i % 2 else 'test'}\n")
    case("projector", "group", [layer("tensors", a)], labels_of(names),
         files=["projector/tensors.tsv", "projector/metadata.tsv"])

    os.makedirs(p("projector_single"), exist_ok=True)
    a = rng.standard_normal((5, 3)).astype(np.float32)
    write_tsv(p("projector_single", "tensors.tsv"), a)
    names = ["x", "y", "x", "z", "y"]
    with open(p("projector_single", "metadata.tsv"), "w") as f:
        f.write("".join(n + "\n" for n in names))
    case("projector_single", "group", [layer("tensors", a)], labels_of(names),
         files=["projector_single/tensors.tsv", "projector_single/metadata.tsv"])

    a = rng.standard_normal((5, 3)).astype(np.float32)
    names = ["red", "blue", "red", "green", "blue"]
    with open(p("table.csv"), "w") as f:
        f.write("label,f0,f1,f2\n")
        for n, row in zip(names, a):
            f.write(n + "," + ",".join(repr(float(v)) for v in row) + "\n")
    case("table.csv", "csv", [layer("table", a)], labels_of(names))

    a = rng.standard_normal((4, 3)).astype(np.float32)
    np.savetxt(p("savetxt.txt"), a.astype(np.float64), header="written by np.savetxt")
    case("savetxt.txt", "text", [layer("savetxt", a)])

    # --- several files at once: one .npy per layer ------------------------------------------
    os.makedirs(p("group_npy"), exist_ok=True)
    layers = []
    for i in [10, 2, 1]:
        a = rng.standard_normal((5, i + 1)).astype(np.float32)
        np.save(p("group_npy", f"layer{i}.npy"), a)
        layers.append((i, layer(f"layer{i}", a)))
    y = np.array([0, 0, 1, 1, 2], dtype=np.int64)
    np.save(p("group_npy", "labels.npy"), y)
    case("group_npy", "group", [l for _, l in sorted(layers)], labels_of(y),
         files=[f"group_npy/{n}" for n in ["layer10.npy", "labels.npy", "layer2.npy", "layer1.npy"]])

    with open(p("manifest.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(ROOT)}")


if __name__ == "__main__":
    main()
