import { KnexClaims } from './claims.js';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { HubError } from '../errors.js';
import { loggerFor } from '../logger.js';
import { HubMigrationSource } from './migrations.js';
import { GroupCommitWriter, KnexProcessedKeys } from './outcomes.js';
import { sqliteClient } from './sqlite-client.js';
import { SqliteThreadWriter } from './sqlite-writer.js';
import type { Store, StoreKind } from './types.js';
import { parseDbUrl, type DbTarget, type TlsMaterial } from './url.js';

export type * from './types.js';
export { storedKey, maxDetailLength, maxKeyLength } from './outcomes.js';
export { migrationsDirectory } from './migrations.js';
export { parseDbUrl, type DbTarget } from './url.js';

/** How `openStore` opens the store. */
export interface StoreOptions {
  /** Apply pending migrations before returning (default true; `hub migrate` passes false). */
  readonly migrate?: boolean;
  /** Rows per outcome batch at most (default 200). */
  readonly batchMaxRows?: number;
  /**
   * Longest wait, after a batch's first row, before it is written (default 0: at once when no batch
   * is being committed; rows that arrive during a commit form the next batch).
   */
  readonly batchMaxDelayMs?: number;
  /**
   * SQLite files: commit outcome batches on a writer thread (default true), so the fsync does not
   * stop the event loop. false writes through knex on the main thread.
   */
  readonly sqliteWriterThread?: boolean;
  /** Told the size of each committed outcome batch (for a metric). */
  readonly onBatch?: (size: number) => void;
  /** TLS for MySQL/MariaDB (the server certificate is always verified when this is set). */
  readonly tls?: TlsMaterial | undefined;
}

/** The store cannot be reached or opened. The message names where (no password) and what to do. */
export class StoreUnavailableError extends HubError {
  /** The store URL with its password masked. */
  readonly where: string;

  constructor(where: string, en: string, ja: string, options?: ErrorOptions) {
    super('HUB_STORE_UNAVAILABLE', `${en} / ${ja}`, 'retry', {
      ...options,
      reasonClass: 'internal',
      reason: { ja, en },
    });
    this.where = where;
  }
}

const log = loggerFor('store');
const migrationSource = new HubMigrationSource();
const migrationsTable = 'knex_migrations';
const migrationLockWaitMs = 30_000;

/** MySQL sessions: UTC (so DATETIME means UTC) and strict (so nothing is silently truncated). */
const mysqlSession =
  "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE," +
  "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

interface CallbackConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}

interface SqliteConnection {
  pragma(source: string): unknown;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function causeText(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Turns a connection failure into a message an operator can act on, in English and Japanese. */
export function unavailable(target: DbTarget, error: unknown): StoreUnavailableError {
  const cause = causeText(error);
  const where = target.display;
  if (target.kind === 'sqlite') {
    return new StoreUnavailableError(
      where,
      `Cannot open the SQLite store ${where} (${cause}). Check that the directory is writable or set HUB_DB_URL.`,
      `SQLite ストア ${where} を開けません（${cause}）。ディレクトリに書き込めるか確認するか、HUB_DB_URL を設定してください。`,
      { cause: error },
    );
  }
  const code = errorCode(error);
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
    return new StoreUnavailableError(
      where,
      `MySQL/MariaDB at ${where} refused the login (${cause}). Fix the user and password in HUB_DB_URL.`,
      `MySQL/MariaDB（${where}）がログインを拒否しました（${cause}）。HUB_DB_URL のユーザーとパスワードを確認してください。`,
      { cause: error },
    );
  }
  return new StoreUnavailableError(
    where,
    `Cannot reach MySQL/MariaDB at ${where} (${cause}). Start it (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) or fix HUB_DB_URL.`,
    `MySQL/MariaDB（${where}）に接続できません（${cause}）。起動する（start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd）か、HUB_DB_URL を確認してください。`,
    { cause: error },
  );
}

/** knex's own warnings go to the hub's logger, not to the console (and at most as text, never as objects). */
const knexLog: Knex.Logger = {
  warn: (message: unknown) => {
    const text = typeof message === 'string' ? message : 'knex warning';
    // A failed connect is reported by the store's own error (where, and what to do); the first start
    // on MySQL also fails one connect on purpose, to learn that the database is missing.
    if (text.startsWith('Acquire connection error')) log.debug(text);
    else log.warn(text);
  },
  error: (message: unknown) => {
    log.warn(typeof message === 'string' ? message : 'knex error');
  },
  deprecate: (method: string, alternative: string) => {
    log.warn(`knex: ${method} is deprecated, use ${alternative}`);
  },
  debug: () => undefined,
};

function sqliteKnex(filename: string, synchronous: 'FULL' | 'NORMAL' = 'FULL'): Knex {
  return knexFactory({
    log: knexLog,
    // better-sqlite3, with every transaction begun IMMEDIATE (see sqlite-client.ts).
    client: sqliteClient,
    connection: { filename },
    useNullAsDefault: true,
    // Error messages would otherwise inline bound values (business keys, ids) into the text.
    compileSqlOnError: false,
    migrations: { migrationSource, tableName: migrationsTable },
    pool: {
      afterCreate(
        connection: SqliteConnection,
        done: (error: Error | null, connection: unknown) => void,
      ) {
        try {
          // WAL: readers never block the writer; busy_timeout: a second process waits, not fails.
          // synchronous FULL: a commit survives power loss, which the engine's ack relies on; the
          // fsync it costs is paid once per batch thanks to group commit.
          connection.pragma('journal_mode = WAL');
          connection.pragma(`synchronous = ${synchronous}`);
          connection.pragma('foreign_keys = ON');
          connection.pragma('busy_timeout = 5000');
          done(null, connection);
        } catch (error: unknown) {
          done(error instanceof Error ? error : new Error(String(error)), connection);
        }
      },
    },
  });
}

function mysqlKnex(
  target: Extract<DbTarget, { kind: 'mysql' }>,
  database: string | undefined,
): Knex {
  return knexFactory({
    log: knexLog,
    client: 'mysql2',
    connection: {
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      ...(database === undefined ? {} : { database }),
      // knex also uses this as the default charset of tables it creates itself (knex_migrations).
      charset: 'utf8mb4',
      // DATETIME(3) columns hold UTC; the session time_zone below matches.
      timezone: 'Z',
      connectTimeout: 10_000,
      // 特定個人情報 crosses this link: when TLS is configured, the server must prove who it is.
      ...(target.tls === undefined
        ? {}
        : {
            ssl: {
              rejectUnauthorized: true,
              ...(target.tls.ca === undefined ? {} : { ca: target.tls.ca }),
              ...(target.tls.cert === undefined ? {} : { cert: target.tls.cert }),
              ...(target.tls.key === undefined ? {} : { key: target.tls.key }),
            },
          }),
    },
    compileSqlOnError: false,
    acquireConnectionTimeout: 15_000,
    migrations: { migrationSource, tableName: migrationsTable },
    pool: {
      min: 0,
      max: database === undefined ? 1 : 10,
      afterCreate(
        connection: CallbackConnection,
        done: (error: Error | null, connection: unknown) => void,
      ) {
        connection.query(mysqlSession, (error) => {
          done(error, connection);
        });
      },
    },
  });
}

async function createDatabaseIfMissing(
  target: Extract<DbTarget, { kind: 'mysql' }>,
): Promise<void> {
  const admin = mysqlKnex(target, undefined);
  try {
    // utf8mb4_bin: ids and business keys compare byte for byte (no case or kana folding).
    await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', [
      target.database,
    ]);
  } catch (error: unknown) {
    throw unavailable(target, error);
  } finally {
    await admin.destroy();
  }
}

/**
 * Races between hub instances starting together: knex's lock refuses the loser, and the creation of
 * knex's own bookkeeping tables (which runs before the lock exists) can collide. Both pass on retry.
 */
function isMigrationRace(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MigrationLocked') return true;
  // SQLite in WAL mode: a transaction whose snapshot went stale gets SQLITE_BUSY at once, unwaited.
  if (errorCode(error)?.startsWith('SQLITE_BUSY') === true) return true;
  return error.message.includes('knex_migrations') && /already exists/i.test(error.message);
}

function alreadyExists(error: unknown): void {
  if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
}

/**
 * Creates knex's bookkeeping tables (same shape as knex's own) before knex does. knex checks for them,
 * creates them and inserts the lock row without any lock, so hub instances starting together could
 * insert two lock rows, after which knex reports "already locked" for ever (seen in the tests). Here
 * the lock row has a fixed key and is inserted with ON CONFLICT DO NOTHING: exactly one, whoever wins.
 */
async function prepareMigrationTables(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable(migrationsTable))) {
    await knex.schema
      .createTable(migrationsTable, (table) => {
        table.increments();
        table.string('name');
        table.integer('batch');
        table.timestamp('migration_time');
      })
      .catch(alreadyExists);
  }
  const lockTable = `${migrationsTable}_lock`;
  if (!(await knex.schema.hasTable(lockTable))) {
    await knex.schema
      .createTable(lockTable, (table) => {
        table.increments('index').primary();
        table.integer('is_locked');
      })
      .catch(alreadyExists);
  }
  await knex(lockTable).insert({ index: 1, is_locked: 0 }).onConflict('index').ignore();
}

/** Applies pending migrations; waits while another hub instance is migrating. */
async function migrateLatest(knex: Knex): Promise<string[]> {
  const deadline = Date.now() + migrationLockWaitMs;
  for (;;) {
    try {
      await prepareMigrationTables(knex);
      const [, applied] = (await knex.migrate.latest()) as [number, string[]];
      if (applied.length > 0) log.info({ applied }, 'migrations applied');
      return applied;
    } catch (error: unknown) {
      if (!isMigrationRace(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

class KnexStore implements Store {
  readonly kind: StoreKind;
  readonly knex: Knex;
  readonly outcomes: GroupCommitWriter;
  readonly processed: KnexProcessedKeys;
  readonly claims: KnexClaims;
  private readonly claimsKnex: Knex | undefined;
  private readonly target: DbTarget;
  private closing: Promise<void> | undefined;

  constructor(target: DbTarget, knex: Knex, options: StoreOptions) {
    this.kind = target.kind;
    this.target = target;
    this.knex = knex;
    const threaded =
      target.kind === 'sqlite' &&
      target.filename !== ':memory:' &&
      (options.sqliteWriterThread ?? true);
    this.outcomes = new GroupCommitWriter(knex, {
      batchMaxRows: options.batchMaxRows ?? 200,
      batchMaxDelayMs: options.batchMaxDelayMs ?? 0,
      onBatch: options.onBatch,
      batchWriter: threaded ? new SqliteThreadWriter(target.filename) : undefined,
    });
    this.processed = new KnexProcessedKeys(knex);
    // SQLite claims go through a connection of their own that does not fsync each commit
    // (synchronous = NORMAL in WAL mode): a claim lost to a power cut belonged to a holder that died
    // with the power (SQLite replicas share one host), so durability buys nothing, and on the main
    // thread every fsync stopped the event loop — it halved the route hop.
    this.claimsKnex = threaded ? sqliteKnex(target.filename, 'NORMAL') : undefined;
    this.claims = new KnexClaims(this.claimsKnex ?? knex);
  }

  async ping(): Promise<void> {
    try {
      await this.knex.raw('select 1');
    } catch (error: unknown) {
      throw unavailable(this.target, error);
    }
  }

  migrate(): Promise<string[]> {
    return migrateLatest(this.knex);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.outcomes.close();
      } finally {
        await this.claimsKnex?.destroy().catch(() => undefined);
        await this.knex.destroy();
      }
    })();
    return this.closing;
  }
}

function checkOption(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new RangeError(`openStore: ${name} must be a whole number ≥ ${min}, got ${value}`);
  }
}

/**
 * Connects to the MySQL database, creating it first only when the server says it is unknown: a
 * production user usually may use its database but not run CREATE DATABASE, even with IF NOT EXISTS.
 */
async function connectMysql(target: Extract<DbTarget, { kind: 'mysql' }>): Promise<Knex> {
  const knex = mysqlKnex(target, target.database);
  try {
    await knex.raw('select 1');
  } catch (error: unknown) {
    if (errorCode(error) !== 'ER_BAD_DB_ERROR') {
      await knex.destroy();
      throw unavailable(target, error);
    }
    try {
      await createDatabaseIfMissing(target);
    } catch (createError: unknown) {
      await knex.destroy();
      throw createError;
    }
  }
  return knex;
}

/**
 * Opens the store named by `dbUrl` (`sqlite:<file>`, `mysql://…`, `mariadb://…`): creates the SQLite
 * directory or the MySQL database if missing, checks the connection and applies migrations.
 */
export async function openStore(dbUrl: string, options: StoreOptions = {}): Promise<Store> {
  checkOption('batchMaxRows', options.batchMaxRows, 1);
  checkOption('batchMaxDelayMs', options.batchMaxDelayMs, 0);
  const parsed = parseDbUrl(dbUrl);
  const target: DbTarget =
    parsed.kind === 'mysql' && options.tls !== undefined ? { ...parsed, tls: options.tls } : parsed;
  let knex: Knex;
  if (target.kind === 'sqlite') {
    if (target.filename !== ':memory:') {
      try {
        await mkdir(dirname(target.filename), { recursive: true });
      } catch (error: unknown) {
        throw unavailable(target, error);
      }
    }
    knex = sqliteKnex(target.filename);
  } else {
    knex = await connectMysql(target);
  }
  const store = new KnexStore(target, knex, options);
  try {
    await store.ping();
    if (options.migrate ?? true) await store.migrate();
  } catch (error: unknown) {
    await knex.destroy();
    throw error;
  }
  return store;
}

/** A DATETIME column's value as a Date: SQLite returns epoch milliseconds, MySQL a Date. */
export function readDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  // Written by hand or by CURRENT_TIMESTAMP: 'YYYY-MM-DD HH:MM:SS[.fff]', which the hub treats as UTC.
  if (typeof value === 'string') {
    // SQLite may also hand back epoch milliseconds as text.
    if (/^[0-9]+$/.test(value)) return new Date(Number(value));
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  }
  throw new TypeError(`Not a stored date: ${typeof value}`);
}
