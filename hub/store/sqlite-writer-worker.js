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

const outcomeColumns = [
  'message_id',
  'message_type',
  'route',
  'step',
  'outcome',
  'attempt',
  'received_at',
  'finished_at',
  'subject_hash',
  'correlation_id',
  'output_message_id',
  'reason_class',
  'detail',
];
const keyColumns = ['step', 'key', 'message_id', 'processed_at'];

const db = new Database(filename);
// The same settings as the main connection (hub/store/index.ts): a commit survives power loss.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');

/** @type {((outcomes: any[], keys: any[]) => void) | undefined} */
let writeBatch;

/** Dates are stored as milliseconds, as knex's better-sqlite3 dialect stores them. */
function bindable(row, columns) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const column of columns) {
    const value = row[column];
    out[column] = value instanceof Date ? value.getTime() : value === undefined ? null : value;
  }
  return out;
}

function prepared() {
  if (writeBatch !== undefined) return writeBatch;
  const insertOutcome = db.prepare(
    `insert into message_outcomes (${outcomeColumns.map((c) => `"${c}"`).join(', ')}) ` +
      `values (${outcomeColumns.map((c) => `@${c}`).join(', ')})`,
  );
  const insertKey = db.prepare(
    `insert into processed_keys (${keyColumns.map((c) => `"${c}"`).join(', ')}) ` +
      `values (${keyColumns.map((c) => `@${c}`).join(', ')}) on conflict ("step", "key") do nothing`,
  );
  writeBatch = db.transaction((outcomes, keys) => {
    for (const row of outcomes) insertOutcome.run(bindable(row, outcomeColumns));
    for (const row of keys) insertKey.run(bindable(row, keyColumns));
  });
  return writeBatch;
}

parentPort?.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    parentPort?.close();
    return;
  }
  try {
    prepared()(message.outcomes, message.keys);
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
