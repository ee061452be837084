import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { openStore, type StoreOptions } from '../../hub/store/index.js';
import type { Store, StoreKind } from '../../hub/store/types.js';

/** The MySQL/MariaDB server tests create their databases on (no database in the path). */
export function mysqlServerUrl(): string {
  return (process.env['HUB_TEST_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
}

/**
 * The store engines the integration tests run on: both by default, because the product promises the
 * same behaviour on each. `HUB_TEST_STORES=sqlite` narrows it (for a machine without MariaDB).
 */
export function storeKinds(): readonly StoreKind[] {
  const wanted = process.env['HUB_TEST_STORES'];
  if (wanted === undefined || wanted.trim() === '') return ['sqlite', 'mysql'];
  const kinds = wanted.split(',').map((kind) => kind.trim());
  // A mistyped value must not silently leave every store suite out.
  const unknown = kinds.filter((kind) => kind !== 'sqlite' && kind !== 'mysql');
  if (unknown.length > 0) {
    throw new Error(
      `HUB_TEST_STORES: unknown store ${unknown.map((kind) => JSON.stringify(kind)).join(', ')}; use sqlite, mysql or sqlite,mysql`,
    );
  }
  return kinds as StoreKind[];
}

/** A database for one test: its URL, and how to remove it. */
export interface TestDatabase {
  readonly kind: StoreKind;
  /** `sqlite:<tmp file>` or `mysql://…/hub_test_<random>`; on MySQL the database does not exist yet. */
  readonly url: string;
  /** Deletes the file or drops the database; safe to call twice. */
  drop(): Promise<void>;
}

/** A fresh, not yet created database: a temp SQLite file, or a `hub_test_<random>` MySQL database. */
export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const directory = await mkdtemp(join(tmpdir(), 'hub-store-'));
    return {
      kind,
      url: `sqlite:${join(directory, 'hub.sqlite')}`,
      drop: () => rm(directory, { recursive: true, force: true }),
    };
  }
  const name = `hub_test_${randomBytes(6).toString('hex')}`;
  return {
    kind,
    url: `${mysqlServerUrl()}/${name}`,
    drop: () => dropMysqlDatabase(name),
  };
}

/** A knex on the MySQL/MariaDB test server, or on one database of it; the caller destroys it. */
export function mysqlKnex(database?: string): Knex {
  const url = new URL(mysqlServerUrl());
  return knexFactory({
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: url.port === '' ? 3306 : Number(url.port),
      user: decodeURIComponent(url.username) || 'root',
      password: decodeURIComponent(url.password),
      timezone: 'Z',
      ...(database === undefined ? {} : { database }),
    },
    pool: { min: 0, max: 2 },
  });
}

/** Drops a MySQL/MariaDB test database if it exists. */
export async function dropMysqlDatabase(name: string): Promise<void> {
  const admin = mysqlKnex();
  try {
    await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
  } finally {
    await admin.destroy();
  }
}

/** Whether a MySQL/MariaDB database exists (to show that openStore created it). */
export async function mysqlDatabaseExists(name: string): Promise<boolean> {
  const admin = mysqlKnex();
  try {
    const rows: unknown[] = await admin('information_schema.SCHEMATA')
      .select('SCHEMA_NAME')
      .where('SCHEMA_NAME', name);
    return rows.length > 0;
  } finally {
    await admin.destroy();
  }
}

/**
 * A second, independent connection to a store's database (not through the store's pool), to see
 * only what is committed. The caller destroys it.
 */
export function secondConnection(url: string): Knex {
  if (url.startsWith('sqlite:')) {
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: url.slice('sqlite:'.length) },
      useNullAsDefault: true,
    });
  }
  return mysqlKnex(decodeURIComponent(new URL(url).pathname.slice(1)));
}

/** What each test inside `withStores` gets; everything it creates is torn down after the test. */
export interface StoreTestContext {
  readonly kind: StoreKind;
  /** A fresh database URL (not created yet on MySQL), dropped after the test. */
  readonly freshDbUrl: () => Promise<string>;
  /** A store on a fresh database, migrated, closed and dropped after the test. */
  readonly openFreshStore: (options?: StoreOptions) => Promise<Store>;
  /** Opens a store on a URL and closes it after the test (before the database is dropped). */
  readonly openStoreFor: (url: string, options?: StoreOptions) => Promise<Store>;
  /** A second connection to the database at `url`, destroyed after the test. */
  readonly secondConnection: (url: string) => Knex;
}

/**
 * Runs `body` once per store engine, inside `describe('on <kind>')`, so one suite proves both engines
 * behave the same. Teardown is registered when a resource is created: stores close, then databases go.
 */
export function withStores(body: (context: StoreTestContext) => void): void {
  for (const kind of storeKinds()) {
    describe(`on ${kind}`, function () {
      const stores: Store[] = [];
      const databases: TestDatabase[] = [];
      const connections: Knex[] = [];

      afterEach(async function () {
        const closing = stores.splice(0).map((store) => store.close().catch(() => undefined));
        await Promise.all(closing);
        await Promise.all(connections.splice(0).map((connection) => connection.destroy()));
        await Promise.all(databases.splice(0).map((database) => database.drop()));
      });

      const context: StoreTestContext = {
        kind,
        freshDbUrl: async () => {
          const database = await createTestDatabase(kind);
          databases.push(database);
          return database.url;
        },
        openStoreFor: async (url, options) => {
          const store = await openStore(url, options);
          stores.push(store);
          return store;
        },
        secondConnection: (url) => {
          const connection = secondConnection(url);
          connections.push(connection);
          return connection;
        },
        openFreshStore: async (options) => {
          return context.openStoreFor(await context.freshDbUrl(), options);
        },
      };
      body(context);
    });
  }
}
