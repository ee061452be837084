// The SQLite outcome writer's thread (hub/store/sqlite-writer.ts). It owns one better-sqlite3
// connection and commits the batches the main thread posts: the fsync of `synchronous = FULL` then
// blocks this thread instead of the event loop that moves messages. Plain JavaScript so that it runs
// without a TypeScript loader (a worker does not inherit one registered programmatically).

import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
/** @type {any} */
const Database = require('better-sqlite3');

/** @type {{ filename: string }} */
const { filename } = workerData;

const db = new Database(filename);
// The same settings as the main connection (hub/store/index.ts): a commit survives power loss.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');

/**
 * Insert statements, prepared once per table and column set. The rows come from the main thread
 * exactly as knex would insert them (hub/store/outcomes.ts), so their keys are the columns: no second
 * list of columns to keep in step here.
 * @type {Map<string, any>}
 */
const statements = new Map();

/** @param {string} table @param {string[]} columns @param {string} suffix */
function insertInto(table, columns, suffix) {
  const key = `${table}(${columns.join(',')})`;
  let statement = statements.get(key);
  if (statement === undefined) {
    statement = db.prepare(
      `insert into ${table} (${columns.map((c) => `"${c}"`).join(', ')}) ` +
        `values (${columns.map((c) => `@${c}`).join(', ')})${suffix}`,
    );
    statements.set(key, statement);
  }
  return statement;
}

/** Dates are stored as milliseconds, as knex's better-sqlite3 dialect stores them. */
function bindable(row) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [column, value] of Object.entries(row)) {
    out[column] = value instanceof Date ? value.getTime() : value === undefined ? null : value;
  }
  return out;
}

/** @param {string} table @param {Record<string, unknown>[]} rows @param {string} suffix */
function insertAll(table, rows, suffix) {
  if (rows.length === 0) return;
  // Every row of a batch comes from the same builder: one column set, one statement.
  const statement = insertInto(table, Object.keys(rows[0]), suffix);
  for (const row of rows) statement.run(bindable(row));
}

const writeBatch = db.transaction((outcomes, keys) => {
  insertAll('message_outcomes', outcomes, '');
  insertAll('processed_keys', keys, ' on conflict ("step", "key") do nothing');
});

parentPort?.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    parentPort?.close();
    return;
  }
  try {
    // IMMEDIATE: the batch takes the write lock before its first statement (see sqlite-client.ts).
    writeBatch.immediate(message.outcomes, message.keys);
    parentPort?.postMessage({ id: message.id, ok: true });
  } catch (error) {
    // The driver's code and message only: better-sqlite3 does not put bound values in its errors.
    parentPort?.postMessage({
      id: message.id,
      ok: false,
      code: typeof error?.code === 'string' ? error.code : undefined,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
