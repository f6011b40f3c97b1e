// The page's state owner (www/store.js) and its derived view (www/view.js) in Node, over the real
// wasm (the page's module, and the workers' through its Session) and two of the demo's models: the view is
// computed once per change and not on progress, later passes add their fields only, per-class
// follows the labels until the user chooses, and snapshot() is plain data that says all of it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BufferBlob, loadPageWasm, loadWasm } from '../../scripts/bench/node-wasm.mjs';
import { Store } from '../../www/store.js';
import { derive } from '../../www/view.js';
import { nearestOf } from '../../www/analyses.js';

const DEMO = path.resolve(import.meta.dirname, '../../www/demo');

test('the store derives once per change, merges later passes, and its snapshot is plain data', async () => {
  const [pkg, worker] = [await loadPageWasm(), await loadWasm()];
  const calls = { plan: 0, compare: 0 };
  const counted = (name) => (...a) => { calls[name] += 1; return pkg[name](...a); };
  const core = { plan: counted('plan'), plan_key: pkg.plan_key, compare: counted('compare'), neighbourhoods: pkg.neighbourhoods, layerCharts: pkg.layerCharts() };
  const store = new Store((s) => derive(s, core));
  const actions = [];
  store.subscribe((action, _detail, light) => actions.push([action, light]));

  const defaults = { ...pkg.pageParams(), repeats: 2, decimation: false, surrogate: false, pc_id: false };
  store.ready(defaults, pkg.pass_adds());
  const session = new worker.Session();
  const demo = JSON.parse(readFileSync(path.join(DEMO, 'demo.json'), 'utf8')).models.slice(0, 2);
  for (const m of demo) {
    const id = store.opening({ name: m.name, files: [m.file], demo: true, accuracy: { measure: 'accuracy', value: m.test_accuracy } });
    const info = session.open(id, [new BufferBlob(readFileSync(path.join(DEMO, m.file)))], [m.file]);
    store.add(id, store.settle(id), info);
  }

  let v = store.view();
  assert.equal(store.view(), v, 'the same view until something changes');
  assert.deepEqual(calls, { plan: 1, compare: 1 });
  assert.equal(v.params.per_class, true, 'per-class follows the labels');
  const base = v.plan.jobs.filter((j) => j.pass === 'base');
  assert.equal(base.length, 12, 'a quick pass for each of the six layers of both models');

  // Every job of the plan, run through the wasm in the plan's order, as the page's pump does.
  for (let round = 0; round < 100; round += 1) {
    const next = store.view().plan.jobs.find((j) => !j.done);
    if (!next) break;
    store.jobStarted(next);
    const before = calls.plan;
    store.progress(next, 0.5);
    store.view();
    assert.equal(calls.plan, before, 'progress does not re-derive');
    if (next.pass === 'ranks') {
      const m = store.model(next.model);
      const lists = next.targets.map((t) => nearestOf(m.results.get(t).full.neighbourhood));
      store.ranksDone(next, session.ranks(next.model, next.layer, next.params, lists, () => true));
    } else {
      store.layerDone(next, session.analyse(next.model, next.layer, next.params, () => true));
    }
  }
  v = store.view();
  assert.equal(v.plan.jobs.filter((j) => !j.done).length, 0, 'the plan is done');
  // The rank passes ran last, one per layer, once every layer had its kept lists: every layer ranked.
  const rankJobs = v.plan.jobs.filter((j) => j.pass === 'ranks');
  assert.equal(rankJobs.length, 12, 'one rank pass per layer of both models');
  assert.ok(v.plan.jobs.slice(-12).every((j) => j.pass === 'ranks'), 'after every other pass');
  for (const p of v.overlaps.profiles) {
    for (const l of p.layers) assert.ok(Object.values(l.imbalance).every((d) => d > 0 && d < 1.2), `${p.model}/${l.layer}: ${JSON.stringify(l.imbalance)}`);
  }

  const snap = store.snapshot();
  assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap, 'plain data');
  assert.equal(snap.models.length, 2);
  for (const m of snap.models) {
    assert.equal(m.computed, 6);
    assert.equal(m.settled, true);
    for (const l of m.layers) {
      assert.equal(l.full.classes.length, 10, `${m.name}/${l.name}: the per-class pass added its classes`);
      assert.deepEqual(l.result.classes ?? [], [], 'the whole-set result is not touched by the per-class pass');
      assert.equal(l.full.twonn.fit.id, l.result.twonn.fit.id);
    }
  }
  assert.equal(snap.comparison.accuracy.points.length, 2);
  const corr = v.charts.correlation;
  assert.equal(corr.data.ids.layer, 'hidden4', 'at the last hidden layer');
  assert.deepEqual(corr.data.table.models, demo.map((m) => m.name), 'two labelled models: a correlation table');
  assert.equal(v.charts.accuracy.show, true);

  // The user's per-class choice wins over the labels; a rename re-derives once.
  store.setParams({ ...store.state.params }, true, false);
  assert.equal(store.view().params.per_class, false);
  const n = calls.compare;
  store.rename(store.state.models[0], 'renamed');
  store.view();
  store.view();
  assert.equal(calls.compare, n + 1);
  assert.equal(store.snapshot().comparison.models[0].model, 'renamed');
  assert.ok(actions.some(([a, light]) => a === 'progress' && light) && actions.some(([a, light]) => a === 'layerDone' && !light));
});
