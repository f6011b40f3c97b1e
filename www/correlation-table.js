// The model × model correlation as an HTML table beside its heatmap (Scheidt & Hansen's tables):
// Pearson r below the diagonal, Spearman ρ above, each cell's p-value in its title.

/**
 * @param {{layer: string}} data  the per-class IDs the table was computed from (the comparison's `correlation.ids`)
 * @param {object} t  the comparison's `correlation.table`: {models, n, pearson, pearson_p, spearman, spearman_p}
 */
export function correlationTable(data, t) {
  const table = document.createElement('table');
  table.className = 'correlation';
  table.createCaption().textContent = `Per-class ID at ${data.layer}, ${t.n} classes: Pearson r below the diagonal, Spearman ρ above (hover a cell for its p-value).`;
  const head = table.createTHead().insertRow();
  head.append(document.createElement('th'));
  for (const m of t.models) {
    const th = document.createElement('th');
    th.textContent = m;
    head.append(th);
  }
  const body = table.createTBody();
  t.models.forEach((a, i) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.textContent = a;
    tr.append(th);
    t.models.forEach((b, j) => {
      const td = tr.insertCell();
      if (i === j) { td.textContent = '—'; td.className = 'diagonal'; return; }
      const [kind, v, pv] = i > j ? ['pearson', t.pearson[i][j], t.pearson_p[i][j]] : ['spearman', t.spearman[i][j], t.spearman_p[i][j]];
      td.className = kind;
      td.dataset.value = v;
      td.dataset.p = pv;
      td.textContent = Number.isFinite(v) ? v.toFixed(3) : '—';
      td.title = `${a} vs ${b}: ${kind === 'pearson' ? 'Pearson r' : 'Spearman ρ'} = ${v}, p = ${pv}`;
    });
  });
  return table;
}
