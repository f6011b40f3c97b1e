// The web build of the wasm in Node: the workers' module through the worker's own entry
// (Session.open/analyse), and the page's module.
// Node has Blob but no FileReaderSync: a Blob subclass over a Buffer plus a synchronous reader
// stand in for the browser's, so the readers run unchanged. Used by wasm-node.mjs and by the
// page's store test (tests/e2e/store.test.js).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../www/pkg');

/** A Blob whose bytes stay in a Buffer, so slices are views, not copies. */
export class BufferBlob extends Blob {
  constructor(buf) {
    super([]);
    this.buf = buf;
  }
  get size() { return this.buf.length; }
  slice(start, end) { return new BufferBlob(this.buf.subarray(start, end)); }
}

globalThis.FileReaderSync = class {
  readAsArrayBuffer(blob) {
    const b = blob.buf;
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  }
};

/** The workers' wasm module started on the plain or the relaxed-SIMD build. */
export async function loadWasm(relaxed = false) {
  const mod = await import(path.join(PKG, 'idscope.js'));
  await mod.default({ module_or_path: readFileSync(path.join(PKG, relaxed ? 'idscope_relaxed_bg.wasm' : 'idscope_bg.wasm')) });
  return mod;
}

/** The page's wasm module (charts, plans, comparisons), started. */
export async function loadPageWasm() {
  const mod = await import(path.join(PKG, 'idscope_page.js'));
  await mod.default({ module_or_path: readFileSync(path.join(PKG, 'idscope_page_bg.wasm')) });
  return mod;
}
