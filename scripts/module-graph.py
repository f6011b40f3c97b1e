#!/usr/bin/env python3
"""The crate's module dependency graph, from the `crate::`, `super::` and `self::` paths in src/.

Each edge A -> B is lifted to the two children of A's and B's nearest common ancestor (so
`streamed::exact` using `streamed::subsets::within` is the edge exact -> subsets under `streamed`,
and `analysis::run` using `streamed::analyse_layer` is analysis -> streamed under the crate root);
an edge between a module and its own ancestor is a parent using its child or the reverse, and is
not a dependency between layers. Prints the edges per parent and exits 1 on a cycle.

    python3 scripts/module-graph.py [--dot]     # --dot: Graphviz text instead of the listing
"""

import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"
# A path starts after `crate::` / `super::` / `self::` and runs over identifiers and `::`; `use`
# groups (`crate::a::{b, c::d}`) are expanded below.
PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)(::\{)?")
COMMENT = re.compile(r"//.*?$|/\*.*?\*/", re.S | re.M)
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def module_of(path: pathlib.Path) -> tuple:
    """`src/a/b.rs` and `src/a/b/mod.rs` -> ("a", "b"); lib.rs -> (); binaries are not modules."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return tuple(parts)


def group_items(text: str, start: int) -> list:
    """The top-level entries of the `{...}` group that opens at `start` (nested groups kept whole)."""
    depth, item, items = 0, "", []
    for ch in text[start:]:
        if ch == "{":
            depth += 1
            if depth == 1:
                continue
        elif ch == "}":
            depth -= 1
            if depth == 0:
                items.append(item)
                break
        if ch == "," and depth == 1:
            items.append(item)
            item = ""
        else:
            item += ch
    return [i.strip() for i in items if i.strip()]


def references(text: str) -> list:
    """Every (anchor, segments) path of a file's code, groups expanded one level per entry."""
    text = STRING.sub('""', COMMENT.sub("", text))
    out = []
    for m in PATH.finditer(text):
        segs = [s for s in m.group(2).split("::") if s]
        if m.group(3):
            for item in group_items(text, m.end() - 1):
                head = re.match(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*", item)
                if head and head.group(0) != "self":
                    out.append((m.group(1), segs + head.group(0).split("::")))
            out.append((m.group(1), segs))
        else:
            out.append((m.group(1), segs))
    return out


def resolve(here: tuple, anchor: str, segs: list, modules: set) -> tuple:
    """The deepest module named by a path (the rest of it is an item inside that module)."""
    base = () if anchor == "crate" else here[:-1] if anchor == "super" else here
    while segs and segs[0] == "super":
        base, segs = base[:-1], segs[1:]
    target = base
    for s in segs:
        if target + (s,) in modules:
            target += (s,)
        else:
            break
    return target


def graph() -> dict:
    """{parent: {child: {child it uses}}} over the library's modules."""
    files = [p for p in SRC.rglob("*.rs") if "bin" not in p.relative_to(SRC).parts]
    modules = {module_of(p) for p in files}
    edges = {}
    for p in files:
        here = module_of(p)
        for anchor, segs in references(p.read_text()):
            target = resolve(here, anchor, segs, modules)
            common = 0
            while common < min(len(here), len(target)) and here[common] == target[common]:
                common += 1
            if common in (len(here), len(target)):
                continue  # a module and its ancestor
            parent, a, b = here[:common], here[common], target[common]
            edges.setdefault(parent, {}).setdefault(a, set()).add(b)
    return edges


def cycles(children: dict) -> list:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in children.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(children):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    edges = graph()
    name = lambda parent: "crate" if not parent else "crate::" + "::".join(parent)
    if "--dot" in sys.argv:
        print("digraph modules {")
        for parent, children in sorted(edges.items()):
            for a, bs in sorted(children.items()):
                for b in sorted(bs):
                    print(f'  "{"::".join(parent + (a,))}" -> "{"::".join(parent + (b,))}";')
        print("}")
    else:
        for parent, children in sorted(edges.items()):
            print(f"{name(parent)}:")
            for a, bs in sorted(children.items()):
                print(f"  {a} -> {', '.join(sorted(bs))}")
    found = [(parent, c) for parent, children in sorted(edges.items()) for c in cycles(children)]
    for parent, c in found:
        print(f"cycle under {name(parent)}: {' <-> '.join(c)}", file=sys.stderr)
    if found:
        return 1
    print("no module cycles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
