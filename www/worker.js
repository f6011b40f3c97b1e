// The compute worker: opens activation files and analyses one layer per request with the wasm
// core (built with +simd128). Module worker; one request at a time, in arrival order.
//
// Protocol (structured clone; File/Blob objects are passed by reference, never copied whole:
// the readers slice them with FileReaderSync).
//   page → worker
//     {type:'open', model, files:[File|Blob], names:[string]}   open files as one model
//     {type:'open', model, urls:[string], names:[string]}        fetch, then open (demo, ?url=)
//     {type:'analyse', job, model, layer, params}                one layer; params: Params JSON
//     {type:'close', model}
//     {type:'panic'}                                             tests only: trap on purpose
//   worker → page
//     {type:'ready', version}                                    wasm instantiated
//     {type:'opened', model, info}                               layers from the headers
//     {type:'progress', job, fraction}                           ≤ 20 per second
//     {type:'layer', job, model, layer, result}                  a LayerResult
//     {type:'error', job?, model, file, message}                 this request failed; worker fine
//     {type:'crash', message}                                    wasm trapped: terminate me
// Cancel is not a message: the page terminates this worker and starts a fresh one.

import init, { Session, panicForTest, version } from './pkg/idscope.js';

let panicMessage = null;
self.idscopePanic = (message) => { panicMessage = message; };

const ready = init().then(() => {
  self.postMessage({ type: 'ready', version: version() });
  return new Session();
});

let queue = Promise.resolve();
self.onmessage = (event) => {
  queue = queue.then(() => handle(event.data)).catch((e) => crash(e));
};

ready.catch((e) => self.postMessage({ type: 'crash', message: `could not start the WebAssembly module: ${text(e)}` }));

async function handle(msg) {
  const session = await ready;
  switch (msg.type) {
    case 'open': return open(session, msg);
    case 'analyse': return analyse(session, msg);
    case 'close': return session.close(msg.model);
    case 'panic': panicForTest(); return undefined;
    default: throw new Error(`unknown message type ${msg.type}`);
  }
}

async function open(session, msg) {
  let files = msg.files;
  try {
    if (msg.urls) files = await Promise.all(msg.urls.map(fetchBlob));
  } catch (e) {
    self.postMessage({ type: 'error', model: msg.model, file: msg.names.join(', '), message: text(e) });
    return;
  }
  try {
    const info = session.open(msg.model, files, msg.names);
    self.postMessage({ type: 'opened', model: msg.model, info });
  } catch (e) {
    if (isTrap(e)) throw e;
    self.postMessage({ type: 'error', model: msg.model, file: e.file ?? msg.names.join(', '), message: text(e) });
  }
}

async function fetchBlob(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return response.blob();
}

function analyse(session, msg) {
  let last = 0;
  const progress = (fraction) => {
    const now = performance.now();
    if (now - last > 50) {
      last = now;
      self.postMessage({ type: 'progress', job: msg.job, fraction });
    }
    return true;
  };
  try {
    const result = session.analyse(msg.model, msg.layer, msg.params, progress);
    self.postMessage({ type: 'layer', job: msg.job, model: msg.model, layer: msg.layer, result });
  } catch (e) {
    if (isTrap(e)) throw e;
    self.postMessage({ type: 'error', job: msg.job, model: msg.model, file: e.file ?? '', message: text(e) });
  }
}

function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError || panicMessage !== null;
}

function crash(e) {
  self.postMessage({ type: 'crash', message: panicMessage ?? text(e) });
}

function text(e) {
  return e instanceof Error ? e.message : String(e);
}
