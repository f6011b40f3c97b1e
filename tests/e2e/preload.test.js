// Each page names its whole static module graph in `<link rel="modulepreload">`, so the browser
// fetches every module at navigation instead of one import level per round trip; a module added
// to the graph without its link (or a link left for a module no longer imported) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.js';

/** The static imports of a module, as paths relative to ROOT (dynamic `import()` is not followed). */
function imports(file) {
  const src = readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [...src.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s*'([^']+)'|^\s*import\s*'([^']+)'/gms)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

/** Every module reachable from `entry` by static imports, `entry` included. */
function graph(entry) {
  const seen = new Set();
  const walk = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const g of imports(f)) walk(g);
  };
  walk(entry);
  return seen;
}

for (const page of ['index.html', 'learn.html']) {
  test(`${page} preloads exactly its module graph`, () => {
    const html = readFileSync(path.join(ROOT, page), 'utf8');
    const entry = html.match(/<script type="module" src="([^"]+)"><\/script>/)[1];
    const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
    assert.equal(new Set(preloads).size, preloads.length, 'no module listed twice');
    assert.deepEqual(new Set(preloads), graph(entry));
  });
}
