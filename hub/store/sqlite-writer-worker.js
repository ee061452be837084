// A SQLite store's thread (hub/store/sqlite-writer.ts). It owns one better-sqlite3 connection and
// does the store's hot-path writes the main thread posts, so that neither an fsync nor a wait for the
// file's write lock ever stops the event loop that moves messages. One thread does both kinds, in
// turn, so they never wait for each other's lock (SQLite's busy handler sleeps a millisecond or more
// at the first conflict):
// - outcome batches with their processed keys, committed with `synchronous = FULL`;
// - windows of claims on business keys, which also tell which keys are processed already
//   (hub/store/claims.ts), committed with `synchronous = NORMAL`: no fsync of their own.
// Plain JavaScript so that it runs without a TypeScript loader (a worker does not inherit one
// registered programmatically).

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

/** @type {Map<string, any>} */
const claimStatements = new Map();

/** @param {string} name @param {string} sql */
function claimStatement(name, sql) {
  let statement = claimStatements.get(name);
  if (statement === undefined) {
    statement = db.prepare(sql);
    claimStatements.set(name, statement);
  }
  return statement;
}

/**
 * Claims a window of keys in one transaction (the semantics of hub/store/claims.ts KnexClaims): a key
 * already processed is 'processed' whoever holds its claim; otherwise the claim is inserted unless one
 * exists, and it is 'mine' when its owner is the asker, taken over when its lease has run out (a
 * compare-and-set, so one replica does), else 'held'. Times are milliseconds, as knex stores Dates.
 * @param {{ step: string, key: string, owner: string, leaseMs: number }[]} entries
 * @returns {('mine' | 'held' | 'processed')[]}
 */
const claimWindow = db.transaction((entries) => {
  const insert = claimStatement(
    'insert',
    'insert into message_claims ("step", "key", "owner", "claimed_at", "lease_until") ' +
      'values (?, ?, ?, ?, ?) on conflict ("step", "key") do nothing',
  );
  const read = claimStatement(
    'read',
    'select c."owner" as owner, c."lease_until" as lease, exists(select 1 from processed_keys p ' +
      'where p."step" = ? and p."key" = ?) as processed from message_claims c ' +
      'where c."step" = ? and c."key" = ?',
  );
  const takeOver = claimStatement(
    'take-over',
    'update message_claims set "owner" = ?, "claimed_at" = ?, "lease_until" = ? ' +
      'where "step" = ? and "key" = ? and "owner" = ? and "lease_until" < ?',
  );
  const now = Date.now();
  for (const entry of entries)
    insert.run(entry.step, entry.key, entry.owner, now, now + entry.leaseMs);
  return entries.map((entry) => {
    const row = read.get(entry.step, entry.key, entry.step, entry.key);
    if (row === undefined) return 'held'; // cannot happen inside the transaction; never 'mine' by default
    if (row.processed === 1) return 'processed';
    if (row.owner === entry.owner) return 'mine';
    if (Number(row.lease) < now) {
      const changed = takeOver.run(
        entry.owner,
        now,
        now + entry.leaseMs,
        entry.step,
        entry.key,
        row.owner,
        now,
      ).changes;
      return changed === 1 ? 'mine' : 'held';
    }
    return 'held';
  });
});

parentPort?.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    parentPort?.close();
    return;
  }
  try {
    if (message.type === 'claims') {
      // A claim lost to a power cut belonged to a holder that died with the power (SQLite replicas
      // share one host): its commit needs no fsync. Write-locked from the start (immediate): no
      // upgrade from a read lock that could deadlock with another process.
      db.pragma('synchronous = NORMAL');
      try {
        const results = claimWindow.immediate(message.entries);
        parentPort?.postMessage({ id: message.id, ok: true, results });
      } finally {
        db.pragma('synchronous = FULL');
      }
      return;
    }
    writeBatch(message.outcomes, message.keys);
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
