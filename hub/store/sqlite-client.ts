import { createRequire } from 'node:module';
import type { Knex } from 'knex';

/**
 * knex's better-sqlite3 client with one change: every transaction begins `BEGIN IMMEDIATE`.
 *
 * SQLite's default `BEGIN` is deferred: the transaction takes the write lock at its first write. A
 * transaction that reads first and writes after another connection (a second replica, the outcome
 * writer thread, `hub` run by an operator) has committed in between fails at once with
 * SQLITE_BUSY_SNAPSHOT ("database is locked"), which busy_timeout does not wait out. Every
 * read-then-write transaction in the store (the optimistic flows check, the MOJ sequence, sagas,
 * deadlines, dead-letter replays, operator actions) is exposed to it, so the fix belongs here and
 * not in each repository: `BEGIN IMMEDIATE` takes the write lock up front and, when another
 * connection holds it, waits for it under busy_timeout like any other write.
 *
 * Readers outside transactions are unaffected (WAL lets them read while a writer writes); store
 * transactions are short and all of them write, so nothing is serialised that was not already.
 */

interface TransactionLike {
  query(connection: unknown, sql: string): Promise<unknown>;
}
type TransactionClass = new (...args: unknown[]) => TransactionLike;
type ClientClass = new (config: Knex.Config) => { transaction(...args: unknown[]): unknown };

const require = createRequire(import.meta.url);
// knex ships these as CommonJS modules without types; only the names used below are relied on.
const BetterSqliteClient = require('knex/lib/dialects/better-sqlite3/index.js') as ClientClass;
const SqliteTransaction =
  require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as TransactionClass;

class ImmediateTransaction extends SqliteTransaction {
  begin(connection: unknown): Promise<unknown> {
    return this.query(connection, 'BEGIN IMMEDIATE;');
  }
}

class ImmediateBetterSqliteClient extends BetterSqliteClient {
  override transaction(...args: unknown[]): unknown {
    return new ImmediateTransaction(this, ...args);
  }
}

/** The client class to give knex as `client` for a SQLite file. */
export const sqliteClient = ImmediateBetterSqliteClient as unknown as typeof Knex.Client;
