// Bytes of code per function and per crate of a wasm module, from its name section and code
// section (twiggy cannot parse SIMD wasm). Usage: node scripts/wasm-size.mjs FILE [TOP]
// Names survive wasm-opt only with -g: measure the module wasm-bindgen wrote, or `wasm-opt -O3 -g`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
function leb(buf, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** The module's sections: id, name (custom ones), start and end of the payload. */
function sections(buf) {
  const out = [];
  for (let at = 8; at < buf.length;) {
    const id = buf[at];
    const [size, start] = leb(buf, at + 1);
    let name = '';
    if (id === 0) {
      const [len, s] = leb(buf, start);
      name = buf.subarray(s, s + len).toString();
    }
    out.push({ id, name, start, end: start + size });
    at = start + size;
  }
  return out;
}

/** Number of imported functions (they come first in the function index space). */
function importedFunctions(buf, sec) {
  if (!sec) return 0;
  let [count, at] = leb(buf, sec.start), funcs = 0;
  for (let i = 0; i < count; i++) {
    for (let s = 0; s < 2; s++) {
      const [len, a] = leb(buf, at);
      at = a + len;
    }
    const kind = buf[at++];
    if (kind === 0) { funcs++; [, at] = leb(buf, at); }
    else if (kind === 1) { at++; const flags = buf[at++]; [, at] = leb(buf, at); if (flags & 1) [, at] = leb(buf, at); }
    else if (kind === 2) { const flags = buf[at++]; [, at] = leb(buf, at); if (flags & 1) [, at] = leb(buf, at); }
    else if (kind === 3) { at += 2; }
    else if (kind === 4) { at++; [, at] = leb(buf, at); }
  }
  return funcs;
}

/** Function index → name, from the `name` custom section's function subsection. */
function functionNames(buf, sec) {
  const names = new Map();
  if (!sec) return names;
  let [len, at] = leb(buf, sec.start);
  at += len;
  while (at < sec.end) {
    const kind = buf[at];
    const [size, s] = leb(buf, at + 1);
    if (kind === 1) {
      let [count, p] = leb(buf, s);
      for (let i = 0; i < count; i++) {
        const [idx, q] = leb(buf, p);
        const [nlen, r] = leb(buf, q);
        names.set(idx, buf.subarray(r, r + nlen).toString());
        p = r + nlen;
      }
    }
    at = s + size;
  }
  return names;
}

/** Path segments of a legacy-mangled Rust name (`_ZN` len ident ... `E`), `$u20$`-style escapes decoded. */
function segments(name) {
  const out = [];
  for (let at = 3; at < name.length && /\d/.test(name[at]);) {
    const len = Number(name.slice(at).match(/^\d+/)[0]);
    at += String(len).length;
    out.push(name.slice(at, at + len));
    at += len;
  }
  return out.map((s) => s.replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ').replace(/\$RF\$/g, '&').replace(/\.\./g, '::'));
}

/** The crate a Rust function (mangled, or demangled as wasm-bindgen writes it) belongs to: the implementing type's crate for
 * `<impl Trait for T>` and `<T as Trait>`, else the path's first segment. */
function crateOf(name) {
  if (name.startsWith('_R')) {
    const m = name.match(/C(?:s[0-9a-zA-Z]*_)?(\d+)/);
    return m ? name.slice(m.index + m[0].length, m.index + m[0].length + Number(m[1])) : '(other)';
  }
  const first = name.startsWith('_ZN') ? segments(name)[0] ?? '' : name.replace(/\[[0-9a-f]+\]/g, '');
  if (!first.includes('::')) return '(other)';
  const inner = first.match(/^_?<(?:impl .* for |)&?(?:mut )?(?:\[)?([A-Za-z_]\w*)/);
  return inner ? inner[1] : first.split('::')[0];
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 30);
const buf = readFileSync(file);
const secs = sections(buf);
const code = secs.find((s) => s.id === 10);
const imported = importedFunctions(buf, secs.find((s) => s.id === 2));
const names = functionNames(buf, secs.find((s) => s.id === 0 && s.name === 'name'));
if (names.size === 0) console.error('note: no name section (run wasm-opt with -g to keep names)');

const funcs = [];
let [count, at] = leb(buf, code.start);
for (let i = 0; i < count; i++) {
  const [size, body] = leb(buf, at);
  const name = names.get(imported + i) ?? `func[${imported + i}]`;
  funcs.push({ name, size: body + size - at, body: buf.subarray(at, body + size) });
  at = body + size;
}
const kb = (n) => `${(n / 1024).toFixed(1).padStart(7)} KiB`;
console.log(`${file}: ${kb(buf.length)} raw, ${kb(gzipSync(buf, { level: 9 }).length)} gzip -9`);
for (const s of secs) {
  const label = s.id === 0 ? `custom ${s.name}` : ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'][s.id];
  console.log(`  section ${label.padEnd(24)} ${kb(s.end - s.start)}`);
}
const byCrate = new Map();
for (const f of funcs) {
  const c = crateOf(f.name);
  const e = byCrate.get(c) ?? { size: 0, count: 0, bodies: [] };
  e.size += f.size;
  e.count++;
  e.bodies.push(f.body);
  byCrate.set(c, e);
}
console.log('\ncode by crate (raw; gzip -9 of the crate\'s bodies alone):');
for (const [c, e] of [...byCrate].sort((a, b) => b[1].size - a[1].size)) {
  console.log(`  ${c.padEnd(28)} ${kb(e.size)} ${kb(gzipSync(Buffer.concat(e.bodies), { level: 9 }).length)}  ${e.count} functions`);
}
console.log(`\nlargest ${top} functions (raw):`);
for (const f of funcs.sort((a, b) => b.size - a.size).slice(0, top)) {
  console.log(`  ${kb(f.size)}  ${f.name.slice(0, 150)}`);
}
