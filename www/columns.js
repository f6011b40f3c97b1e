// The estimators' result columns, as the core lists them (`estimatorColumns`, from each
// estimator's COLUMNS in src/estimators/): the layers table and the CSV export render this one
// list, so a new estimator's columns need no change here.

/** The value at JSON pointer `pointer` (e.g. "/twonn/fit/id") in `obj`, or undefined. */
export function at(obj, pointer) {
  return pointer.split('/').slice(1).reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

/** The columns the tables show (those with a header). */
export const tableColumns = (columns) => columns.filter((c) => c.header !== null && c.header !== undefined);

/** The page cell's class of column `c`: its key with `-` for `_` (e.g. `id-fit`). */
export const cellClass = (c) => c.key.replaceAll('_', '-');

/**
 * CSV-only columns that detail table column `c` (their key extends its key, e.g. `id_ml_ci_low`
 * for `id_ml`): shown as the cell's tooltip.
 */
export const details = (columns, c) => columns.filter((d) => !d.header && d.key.startsWith(`${c.key}_`));
