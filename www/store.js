// The page's one state owner. `Store#state` is what the page knows (the models and their results,
// the models being opened, the selection, the parameters, the run); only the named actions below
// change it, and each tells the subscribers which action ran, so the page re-renders from the
// state. What follows from the state (the pass plan, the comparison of the models, the selected
// layer, the chart series: `derive`, www/analyses.js) is computed once per change by `view()`.
// `snapshot()` is the documented read-only view the console and the end-to-end tests use.

/**
 * Actions that change only what a re-render would not redraw (a progress bar, the run's clock):
 * their subscribers update in place and the derived view stays valid.
 */
const LIGHT = new Set(['progress', 'jobStarted', 'version', 'runEnded', 'opening', 'settle']);

/**
 * A page model with every layer shown in file order and nothing computed:
 * {id, name, info, files, demo, restored, hidden, accuracy: {measure, value} | null, lastHidden,
 *  order, excluded: Set(layer), results: Map(layer → {key, partial, extras: {pass: key}, result, full}),
 *  progress: Map(layer → fraction), failed: Map(layer → {key, message}),
 *  ranks: Map(layer → Map(target layer → {key, ranks: Uint32Array}))}
 * (result: the whole-set estimates, `partial` until the scale pass has added its part; full: with
 * what the later passes added too — two objects, so the whole set's charts are not redrawn when a
 * layer's classes arrive; ranks: the rank passes' lists, the ranks in a layer's points of a target
 * layer's nearest neighbours, under the key of both layers' results).
 */
function newModel(id, name, info) {
  return {
    id, name, info, files: [], demo: false, restored: false, hidden: false, accuracy: null, lastHidden: null,
    order: info.layers.map((_, i) => i), excluded: new Set(), results: new Map(), progress: new Map(), failed: new Map(), ranks: new Map(),
  };
}

/** A copy of `obj` with `value` at the `.`-separated `path`. */
function setPath(obj, path, value) {
  const [head, ...rest] = path.split('.');
  return { ...obj, [head]: rest.length ? setPath(obj[head] ?? {}, rest.join('.'), value) : value };
}

const getPath = (obj, path) => path.split('.').reduce((o, k) => o?.[k], obj);

export class Store {
  /** @param {(state: object) => object} derive  the derived view of a state (www/analyses.js) */
  constructor(derive) {
    this.derive = derive;
    this.subscribers = [];
    this.changes = 0;
    this.derived = { at: -1, view: null };
    this.state = {
      models: [],
      pending: new Map(), // model id → {name, files, demo, accuracy, then} while the worker opens it
      nextModel: 1,
      nextJob: 1,
      selected: null, // {model, layer}: the clicked row
      correlationLayer: null, // the user's pick among the comparison's choices ('name:…' or 'depth:…')
      overlapK: null, // neighbours the overlaps compare (null: the core's default, 10), at most the lists kept
      imbalance: true, // whether the information imbalances' rank passes run (one per layer, after the rest)
      params: null, // the form's values (null until the core has built the form)
      valid: true, // whether the form's values are in range
      perClass: null, // the user's per-class choice; null: on when a model has labels
      passAdds: new Map(), // pass → {fields, whole}: what each later pass adds (the core's pass_adds)
      paused: false,
      run: null, // {start} while computing
      version: '',
      firstRunStart: null, // when the first computation started (for the long-task check)
    };
  }

  /** Calls `fn(action, detail, light)` after every action (light: the derived view is unchanged). */
  subscribe(fn) {
    this.subscribers.push(fn);
  }

  /** The derived view of the current state, computed at most once per change. */
  view() {
    if (this.derived.at !== this.changes) this.derived = { at: this.changes, view: this.derive(this.state) };
    return this.derived.view;
  }

  changed(action, detail = null) {
    const light = LIGHT.has(action);
    if (!light) this.changes += 1;
    for (const fn of this.subscribers) fn(action, detail, light);
  }

  model(id) {
    return this.state.models.find((m) => m.id === id);
  }

  // ---------- loading ----------

  /** A model the worker is opening; returns its id. Loading something means: compute it. */
  opening(entry) {
    const id = this.state.nextModel++;
    this.state.paused = false;
    this.state.pending.set(id, entry);
    this.changed('opening');
    return id;
  }

  /** The worker answered (or failed) for model `id`: its pending entry, now settled, or undefined. */
  settle(id) {
    const p = this.state.pending.get(id);
    this.state.pending.delete(id);
    this.changed('settle');
    return p;
  }

  /** Models a crashed worker was opening: forgotten. */
  lose(ids) {
    for (const id of ids) this.state.pending.delete(id);
    this.changed('lose');
  }

  /** Adds an opened model; the user's files replace the demo. Returns the models removed. */
  add(id, entry, info) {
    const removed = entry.demo ? [] : this.state.models.filter((x) => x.demo);
    this.state.models = this.state.models.filter((x) => !removed.includes(x));
    this.state.models.push({
      ...newModel(id, entry.name ?? info.name, info), files: info.files, demo: entry.demo,
      accuracy: entry.accuracy ?? info.accuracy ?? null,
    });
    this.unselectGone();
    this.changed('add');
    return removed;
  }

  /**
   * Results files (schema idscope/1) become models that show their results and are not
   * recomputed; `form`: {params, valid}, the form once it holds the first report's params.
   */
  restore(reports, form = null) {
    for (const r of reports) {
      const layers = r.layers.map((l) => ({ name: l.name, rows: l.n_input, cols: l.dim, dtype: '', byte_size: null }));
      const m = newModel(this.state.nextModel++, r.model, { layers, skipped: [] });
      r.layers.forEach((l, i) => m.results.set(i, { key: 'restored', result: l, full: l }));
      r.layers.forEach((l, i) => {
        const lists = (l.imbalance_ranks ?? []).map((t) => [r.layers.findIndex((x) => x.name === t.target), t.ranks]).filter(([j]) => j >= 0);
        if (lists.length) m.ranks.set(i, new Map(lists.map(([j, ranks]) => [j, { key: 'restored', ranks: Uint32Array.from(ranks) }])));
      });
      this.state.models.push({ ...m, restored: true, params: r.params });
    }
    if (form) Object.assign(this.state, form);
    this.state.selected = null;
    this.changed('restore');
  }

  remove(m) {
    this.state.models = this.state.models.filter((x) => x !== m);
    this.unselectGone();
    this.changed('remove');
  }

  unselectGone() {
    if (this.state.selected && !this.model(this.state.selected.model)) this.state.selected = null;
  }

  // ---------- the tables and the models panel ----------

  select(m, layer) {
    this.state.selected = { model: m.id, layer };
    this.changed('select');
  }

  exclude(m, layer, excluded) {
    if (excluded) m.excluded.add(layer); else m.excluded.delete(layer);
    this.changed('exclude');
  }

  /** Swaps the layers at display positions `pos` and `pos + d`. */
  move(m, pos, d) {
    const o = m.order;
    [o[pos], o[pos + d]] = [o[pos + d], o[pos]];
    this.changed('move');
  }

  rename(m, name) {
    m.name = name;
    this.changed('rename');
  }

  hide(m, hidden) {
    m.hidden = hidden;
    this.changed('hide');
  }

  setAccuracy(m, a) {
    m.accuracy = Number.isFinite(a.value) ? a : null;
    this.changed('accuracy');
  }

  setLastHidden(m, layer) {
    m.lastHidden = layer;
    this.changed('lastHidden');
  }

  pickCorrelation(value) {
    this.state.correlationLayer = value;
    this.changed('pickCorrelation');
  }

  /** The k of the overlaps, recomputed from the kept neighbour lists (no new search). */
  pickOverlapK(k) {
    this.state.overlapK = k;
    this.changed('pickOverlapK');
  }

  /** Whether the information imbalances are computed (their rank passes are planned). */
  pickImbalance(on) {
    this.state.imbalance = on;
    this.changed('pickImbalance');
  }

  // ---------- parameters ----------

  /** The form's first values (the core's defaults) and what each later pass adds, once the wasm has started. */
  ready(params, passAdds) {
    this.state.params = params;
    this.state.passAdds = new Map(passAdds.map((a) => [a.pass, a]));
    this.changed('ready');
  }

  /** The form's values; `perClass`: the user set the per-class box (else it follows the labels). */
  setParams(params, valid, perClass = undefined) {
    this.state.params = params;
    this.state.valid = valid;
    if (perClass !== undefined) this.state.perClass = perClass;
    this.state.paused = false;
    this.changed('params');
  }

  // ---------- the run ----------

  resume() {
    this.state.paused = false;
    this.changed('resume');
  }

  /** A job was sent to the worker; returns its number. */
  jobStarted(job) {
    if (!this.state.run) this.state.run = { start: performance.now() };
    if (this.state.firstRunStart === null) this.state.firstRunStart = this.state.run.start;
    this.model(job.model)?.progress.set(job.layer, 0);
    this.changed('jobStarted');
    return this.state.nextJob++;
  }

  progress(job, fraction) {
    this.model(job.model)?.progress.set(job.layer, fraction);
    this.changed('progress', { model: job.model, layer: job.layer, fraction });
  }

  /** A job's result: a base pass's whole result, or what a later pass adds to the layer's. */
  layerDone(job, result) {
    const m = this.model(job.model);
    if (m) {
      const entry = m.results.get(job.layer);
      if (job.pass === 'base') {
        m.results.set(job.layer, { key: job.key, partial: Boolean(job.partial), extras: {}, result, full: result });
      } else if (entry) {
        // A later pass adds its part only: the rest of its result ran with other params.
        const { fields, whole } = this.state.passAdds.get(job.pass);
        const add = (r) => fields.reduce((o, f) => setPath(o, f, getPath(result, f)), r);
        const time = (r) => (whole ? { ...r, seconds: r.seconds + result.seconds } : r);
        const wholeSet = whole ? { result: time(add(entry.result)), partial: false } : {};
        m.results.set(job.layer, { ...entry, ...wholeSet, extras: { ...entry.extras, [job.pass]: job.key }, full: time(add(entry.full)) });
      }
      m.failed.delete(job.layer);
      m.progress.delete(job.layer);
    }
    this.changed('layerDone');
  }

  /** A rank pass's lists: `ranks[t]` are the ranks in the job's layer of the nearest neighbours of layer `job.targets[t]`. */
  ranksDone(job, ranks) {
    const m = this.model(job.model);
    if (m) {
      if (!m.ranks.has(job.layer)) m.ranks.set(job.layer, new Map());
      job.targets.forEach((t, i) => m.ranks.get(job.layer).set(t, { key: job.key, ranks: ranks[i] }));
      m.progress.delete(job.layer);
    }
    this.changed('ranksDone');
  }

  /** A job failed (an error or a crash): the layer shows the message until its params change. */
  layerFailed(job, message) {
    const m = this.model(job.model);
    if (m) {
      m.failed.set(job.layer, { key: job.key, message });
      m.progress.delete(job.layer);
    }
    this.changed('layerFailed');
  }

  /** The run was cancelled (job: the one in flight, if any): paused until the user runs again. */
  cancelled(job) {
    if (job) this.model(job.model)?.progress.delete(job.layer);
    this.state.paused = true;
    this.state.run = null;
    this.changed('cancelled');
  }

  /** Nothing left to compute. */
  runEnded() {
    this.state.run = null;
    this.changed('runEnded');
  }

  setVersion(v) {
    this.state.version = v;
    this.changed('version');
  }

  /**
   * The page as plain data, for the console and the tests (the state's own shape is private):
   * {version, pending: number of models being opened, paused, firstRunStart, models: [{id, name,
   *  demo, restored, hidden, labelled, accuracy, order, computed: layers with a result, settled:
   *  every included layer has a result or an error, layers: [{name, rows, cols, excluded,
   *  progress, result, full, error}] in file order}], comparison: the core's compare of the models}
   */
  snapshot() {
    const s = this.state;
    return {
      version: s.version,
      pending: s.pending.size,
      paused: s.paused,
      firstRunStart: s.firstRunStart,
      models: s.models.map((m) => {
        const layers = m.info.layers.map((l, i) => ({
          name: l.name, rows: l.rows, cols: l.cols, excluded: m.excluded.has(i), progress: m.progress.get(i) ?? null,
          result: m.results.get(i)?.result ?? null, full: m.results.get(i)?.full ?? null, error: m.failed.get(i)?.message ?? null,
        }));
        return {
          id: m.id, name: m.name, demo: m.demo, restored: m.restored, hidden: m.hidden, labelled: Boolean(m.info.labels),
          accuracy: m.accuracy, order: [...m.order], computed: m.results.size,
          settled: m.restored || layers.every((l) => l.excluded || l.result || l.error),
          layers,
        };
      }),
      comparison: this.view().comparison,
    };
  }
}
