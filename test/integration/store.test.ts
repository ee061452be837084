import { expect } from 'chai';
import { migrationsDirectory, readDate, StoreUnavailableError } from '../../hub/store/index.js';
import { migrateCommand, rollbackAll } from '../../hub/store/migrate.js';
import { OutcomeBatchError } from '../../hub/store/outcomes.js';
import type { OutcomeRow } from '../../hub/store/types.js';
import { mysqlDatabaseExists, withStores } from '../support/db.js';
import { childLogEnv, logOutput } from '../support/hub-logs.js';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const hubTables = [
  'message_outcomes',
  'processed_keys',
  'dead_letters',
  'operator_actions',
  'hub_users',
  'flow_deploys',
];

const migrationNames = readdirSync(migrationsDirectory)
  .filter((file) => /^\d{14}_.*\.ts$/.test(file))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

function outcome(messageId: string, overrides: Partial<OutcomeRow> = {}): OutcomeRow {
  const at = new Date('2026-11-28T01:02:03.456Z');
  return {
    messageId,
    messageType: 'resident.movement.recorded',
    route: 'juki-to-cs',
    step: 'transform',
    outcome: 'published',
    attempt: 1,
    receivedAt: at,
    finishedAt: at,
    ...overrides,
  };
}

/** Every column of every hub table, so "down then up" can be compared with the first "up". */
async function schemaOf(knex: Knex): Promise<Record<string, unknown>> {
  const schema: Record<string, unknown> = {};
  for (const table of hubTables) schema[table] = await knex(table).columnInfo();
  return schema;
}

async function existingTables(knex: Knex): Promise<string[]> {
  const present: string[] = [];
  for (const table of hubTables) if (await knex.schema.hasTable(table)) present.push(table);
  return present;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const storeModule = new URL('../../hub/store/index.ts', import.meta.url).href;

/** What a hub process does with its store on start, in its own process as in production. */
async function startHubProcess(url: string): Promise<void> {
  const script = [
    `import { openStore } from ${JSON.stringify(storeModule)};`,
    `const store = await openStore(${JSON.stringify(url)});`,
    'await store.ping();',
    'await store.close();',
  ].join('\n');
  const { stdout, stderr } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: repoRoot, env: { ...process.env, ...childLogEnv } },
  );
  logOutput('store opening process', undefined, stdout, stderr);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('store', function () {
  this.timeout(60_000);

  withStores(({ kind, freshDbUrl, openStoreFor, openFreshStore, secondConnection }) => {
    describe('migrations', function () {
      it('applies every migration, rolls all the way down and up again to the same schema', async function () {
        const url = await freshDbUrl();
        const first = await migrateCommand(url);
        expect(first.applied).to.deep.equal(migrationNames);
        expect(first.current).to.deep.equal(migrationNames);

        const reader = secondConnection(url);
        const before = await schemaOf(reader);
        expect(await existingTables(reader)).to.deep.equal(hubTables);

        expect(await rollbackAll(url)).to.deep.equal([...migrationNames].reverse());
        expect(await existingTables(reader)).to.deep.equal([]);

        const again = await migrateCommand(url);
        expect(again.applied).to.deep.equal(migrationNames);
        expect(await schemaOf(reader)).to.deep.equal(before);
      });

      it('applies nothing the second time', async function () {
        const url = await freshDbUrl();
        await openStoreFor(url);
        const store = await openStoreFor(url);
        expect(await store.migrate()).to.deep.equal([]);
        expect(await migrateCommand(url)).to.deep.equal({ applied: [], current: migrationNames });
      });

      it('creates what is missing: the database on MySQL, the directory on SQLite', async function () {
        let url = await freshDbUrl();
        if (kind === 'mysql') {
          const name = new URL(url).pathname.slice(1);
          expect(await mysqlDatabaseExists(name)).to.equal(false);
          await openStoreFor(url);
          expect(await mysqlDatabaseExists(name)).to.equal(true);
        } else {
          url = url.replace(/hub\.sqlite$/, 'not/yet/there/hub.sqlite');
          const store = await openStoreFor(url);
          await store.ping();
        }
      });

      it('accepts the other URL form: mariadb:// on MySQL, :memory: on SQLite', async function () {
        const url =
          kind === 'mysql'
            ? (await freshDbUrl()).replace(/^mysql:/, 'mariadb:')
            : 'sqlite::memory:';
        const store = await openStoreFor(url);
        await store.outcomes.record(outcome('m-1'), { step: 's', key: 'k', messageId: 'm-1' });
        expect(await store.processed.has('s', 'k')).to.equal(true);
      });

      it('lets several hub processes start on one new database at once', async function () {
        const url = await freshDbUrl();
        await Promise.all([startHubProcess(url), startHubProcess(url), startHubProcess(url)]);
        expect(await migrateCommand(url)).to.deep.equal({ applied: [], current: migrationNames });
      });

      it('leaves migrations, not the store, to open with migrate: false', async function () {
        const url = await freshDbUrl();
        const store = await openStoreFor(url, { migrate: false });
        expect(await existingTables(store.knex)).to.deep.equal([]);
        expect(await store.migrate()).to.deep.equal(migrationNames);
      });
    });

    describe('outcome writer (group commit)', function () {
      it('batches 500 concurrent rows into far fewer transactions, each visible once resolved', async function () {
        const url = await freshDbUrl();
        const batches: number[] = [];
        const store = await openStoreFor(url, { onBatch: (size) => batches.push(size) });
        const reader = secondConnection(url);
        const ids = Array.from({ length: 500 }, (_, index) => `msg-${index}`);
        const seen = await Promise.all(
          ids.map(async (id) => {
            await store.outcomes.record(outcome(id));
            const row: unknown = await reader('message_outcomes').where({ message_id: id }).first();
            return row !== undefined;
          }),
        );
        expect(seen.every(Boolean)).to.equal(true);
        expect(batches.reduce((sum, size) => sum + size, 0)).to.equal(500);
        expect(batches.length).to.be.at.most(10);
        expect(batches.every((size) => size <= 200)).to.equal(true);
      });

      it('never makes a batch larger than batchMaxRows', async function () {
        const batches: number[] = [];
        const store = await openFreshStore({
          batchMaxRows: 7,
          onBatch: (size) => batches.push(size),
        });
        await Promise.all(
          Array.from({ length: 50 }, (_, index) => store.outcomes.record(outcome(`m-${index}`))),
        );
        expect(Math.max(...batches)).to.be.at.most(7);
        expect(batches.reduce((sum, size) => sum + size, 0)).to.equal(50);
      });

      it('writes a lone row after batchMaxDelayMs, not waiting for a full batch', async function () {
        const batches: number[] = [];
        const store = await openFreshStore({
          batchMaxDelayMs: 20,
          onBatch: (size) => batches.push(size),
        });
        // Resolves without a flush and without more rows: the delay, not a full batch, wrote it.
        await store.outcomes.record(outcome('alone'));
        expect(batches).to.deep.equal([1]);
      });

      it('stores every column, dates to the millisecond, and cuts an overlong detail', async function () {
        const url = await freshDbUrl();
        const store = await openStoreFor(url);
        const receivedAt = new Date('2026-11-28T01:02:03.007Z');
        const finishedAt = new Date('2026-11-28T01:02:03.999Z');
        await store.outcomes.record(
          outcome('full', {
            outcome: 'dead-lettered',
            attempt: 3,
            receivedAt,
            finishedAt,
            subjectHash: 'h'.repeat(64),
            correlationId: 'corr-1',
            outputMessageId: 'out-1',
            reasonClass: 'validation',
            detail: `/resident/name:required ${'x'.repeat(5_000)}`,
          }),
        );
        const row = (await secondConnection(url)('message_outcomes')
          .where({ message_id: 'full' })
          .first()) as Record<string, unknown>;
        expect(readDate(row['received_at']).toISOString()).to.equal(receivedAt.toISOString());
        expect(readDate(row['finished_at']).toISOString()).to.equal(finishedAt.toISOString());
        expect(row).to.include({
          message_type: 'resident.movement.recorded',
          route: 'juki-to-cs',
          step: 'transform',
          outcome: 'dead-lettered',
          attempt: 3,
          subject_hash: 'h'.repeat(64),
          correlation_id: 'corr-1',
          output_message_id: 'out-1',
          reason_class: 'validation',
        });
        expect(String(row['detail'])).to.have.length(1000);
      });

      it('rejects every promise of a failing batch and commits none of its rows', async function () {
        const url = await freshDbUrl();
        const batches: number[] = [];
        const store = await openStoreFor(url, {
          batchMaxDelayMs: 50,
          onBatch: (size) => batches.push(size),
        });
        const broken = outcome('broken', { route: null as unknown as string });
        const results = await Promise.allSettled([
          store.outcomes.record(outcome('good-1'), {
            step: 'transform',
            key: 'k-1',
            messageId: 'good-1',
          }),
          store.outcomes.record(broken),
          store.outcomes.record(outcome('good-2')),
        ]);
        expect(results.map((result) => result.status)).to.deep.equal([
          'rejected',
          'rejected',
          'rejected',
        ]);
        const reason: unknown = (results[0] as PromiseRejectedResult).reason;
        expect(reason).to.be.instanceOf(OutcomeBatchError);
        expect(String(reason)).to.match(/not committed/);
        // The driver's reason, not kilobytes of SQL, and never the values.
        expect(String(reason)).not.to.match(/insert into/i);
        expect(String(reason)).not.to.include('good-1');
        const reader = secondConnection(url);
        expect(await reader('message_outcomes').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
        expect(await store.processed.has('transform', 'k-1')).to.equal(false);
        expect(batches).to.deep.equal([]);

        // The writer carries on: the next batch commits.
        await store.outcomes.record(outcome('good-3'));
        expect(batches).to.deep.equal([1]);
      });

      it('refuses an invalid date at once, without failing the rest of its batch', async function () {
        const store = await openFreshStore({ batchMaxDelayMs: 20 });
        const [bad, good] = await Promise.allSettled([
          store.outcomes.record(outcome('bad-date', { finishedAt: new Date(Number.NaN) })),
          store.outcomes.record(outcome('good-date')),
        ]);
        expect(bad.status).to.equal('rejected');
        expect(good.status).to.equal('fulfilled');
      });

      it('rejects when the database is gone', async function () {
        // SQLite's writer thread has a connection of its own; this is the knex path's case.
        const store = await openFreshStore({ sqliteWriterThread: false });
        await store.knex.destroy();
        const error = await rejection(store.outcomes.record(outcome('lost')));
        expect(error).to.be.instanceOf(OutcomeBatchError);
      });

      if (kind === 'sqlite') {
        it('commits on a writer thread; a thread that dies fails its batch and the next one starts anew', async function () {
          const url = await freshDbUrl();
          const store = await openStoreFor(url);
          const writer = (
            store.outcomes as unknown as {
              options: { batchWriter?: { terminate(): Promise<void> } };
            }
          ).options.batchWriter;
          expect(writer, 'a SQLite file store commits on a writer thread').not.to.equal(undefined);
          await store.outcomes.record(outcome('before'), {
            step: 's',
            key: 'k-before',
            messageId: 'before',
          });
          const pending = store.outcomes.record(outcome('during'));
          await writer?.terminate();
          const error = await rejection(pending);
          expect(String(error)).to.match(/not committed/);
          await store.outcomes.record(outcome('after'));
          const ids = (await secondConnection(url)('message_outcomes')
            .select('message_id')
            .orderBy('id')) as { message_id: string }[];
          expect(ids.map((row) => row.message_id)).to.include.members(['before', 'after']);
          expect(await store.processed.has('s', 'k-before')).to.equal(true);
        });
      }

      it('commits queued rows on close, then refuses new ones', async function () {
        const url = await freshDbUrl();
        const store = await openStoreFor(url, { batchMaxDelayMs: 10_000 });
        const pending = store.outcomes.record(outcome('last'));
        await store.close();
        await pending;
        const rows: unknown[] = await secondConnection(url)('message_outcomes').where({
          message_id: 'last',
        });
        expect(rows).to.have.length(1);
        expect(String(await rejection(store.outcomes.record(outcome('late'))))).to.equal(
          'Error: The outcome writer is closed',
        );
      });

      it('flush() commits what is queued without waiting for the delay', async function () {
        const url = await freshDbUrl();
        // A delay far beyond the test's timeout: had flush() waited for it, the test would time out.
        const store = await openStoreFor(url, { batchMaxDelayMs: 3_600_000 });
        const pending = store.outcomes.record(outcome('flushed'));
        await store.outcomes.flush();
        await pending;
        const rows: unknown[] = await secondConnection(url)('message_outcomes').where({
          message_id: 'flushed',
        });
        expect(rows).to.have.length(1);
      });
    });

    describe('processed keys', function () {
      it('knows only committed keys, dedupes repeats and compares keys exactly', async function () {
        const url = await freshDbUrl();
        const store = await openStoreFor(url, { batchMaxDelayMs: 100 });
        const key = { step: 'deliver-cs', key: 'R-0001', messageId: 'a' };
        const first = store.outcomes.record(outcome('a'), key);
        expect(await store.processed.has('deliver-cs', 'R-0001')).to.equal(false);
        await first;
        expect(await store.processed.has('deliver-cs', 'R-0001')).to.equal(true);
        expect(await store.processed.has('deliver-cs', 'r-0001')).to.equal(false);
        expect(await store.processed.has('other-step', 'R-0001')).to.equal(false);

        // The same key again, also twice within one batch: one key row, every outcome row.
        await Promise.all([
          store.outcomes.record(outcome('b', { outcome: 'duplicate' }), { ...key, messageId: 'b' }),
          store.outcomes.record(outcome('c', { outcome: 'duplicate' }), { ...key, messageId: 'c' }),
        ]);
        const reader = secondConnection(url);
        const keys = (await reader('processed_keys').select(
          'step',
          'key',
          'message_id',
        )) as unknown[];
        expect(keys).to.deep.equal([{ step: 'deliver-cs', key: 'R-0001', message_id: 'a' }]);
        expect(await reader('message_outcomes').count({ n: '*' })).to.deep.equal([{ n: 3 }]);
      });

      it('keeps kana, width and non-BMP variants apart (utf8mb4_bin)', async function () {
        const store = await openFreshStore();
        const variants = ['ア', 'あ', 'ｱ', '𠮷', 'R-0001'];
        await Promise.all(
          variants.map((key, index) =>
            store.outcomes.record(outcome(`v-${index}`), {
              step: 's',
              key,
              messageId: `v-${index}`,
            }),
          ),
        );
        const stored: { key: string }[] = await store.knex('processed_keys').select('key');
        expect(stored.map((row) => row.key).sort()).to.deep.equal([...variants].sort());
        expect(await store.processed.has('s', 'r-0001')).to.equal(false);
        expect(await store.processed.has('s', '𠮷')).to.equal(true);
      });

      it('accepts keys longer than the column by hashing them', async function () {
        const store = await openFreshStore();
        const long = `住民票コード:${'9'.repeat(400)}`;
        await store.outcomes.record(outcome('long'), { step: 's', key: long, messageId: 'long' });
        expect(await store.processed.has('s', long)).to.equal(true);
        expect(await store.processed.has('s', `${long}0`)).to.equal(false);
      });
    });

    if (kind === 'sqlite') {
      describe('transactions on SQLite', function () {
        // The oracle is the test's own better-sqlite3 connection, with no busy wait: it sees the
        // file's locks as any other process would.
        function rawConnection(url: string): Database.Database {
          const raw = new Database(url.slice('sqlite:'.length));
          raw.pragma('busy_timeout = 0');
          return raw;
        }

        it('take the write lock when they begin, so another connection cannot write between a read and a write', async function () {
          const url = await freshDbUrl();
          const store = await openStoreFor(url, { sqliteWriterThread: false });
          const raw = rawConnection(url);
          try {
            raw.exec('create table lock_probe (x text)');
            let rawWrite: unknown = 'not tried';
            await store.knex.transaction(async (trx) => {
              // Read first, as the optimistic checks do (flows, the MOJ sequence, sagas).
              await trx('lock_probe').count({ n: '*' });
              try {
                raw.prepare('insert into lock_probe (x) values (?)').run('between');
                rawWrite = 'written';
              } catch (error: unknown) {
                rawWrite = (error as { code?: unknown }).code;
              }
              // Had the other connection committed here, this write would fail with
              // SQLITE_BUSY_SNAPSHOT, which no busy_timeout waits out.
              await trx('lock_probe').insert({ x: 'after' });
            });
            expect(rawWrite).to.equal('SQLITE_BUSY');
            expect(raw.prepare('select x from lock_probe').all()).to.deep.equal([{ x: 'after' }]);
          } finally {
            raw.close();
          }
        });

        it('wait for a write lock another thread holds instead of failing, and then commit', async function () {
          const url = await freshDbUrl();
          const store = await openStoreFor(url, { sqliteWriterThread: false });
          const filename = url.slice('sqlite:'.length);
          const raw = rawConnection(url);
          raw.exec('create table lock_probe (x text)');
          // Another thread holds the write lock for 300 ms (better-sqlite3 waits synchronously, so
          // the holder cannot share this thread).
          const holder = new Worker(
            [
              "const { parentPort, workerData } = require('node:worker_threads');",
              "const db = new (require('better-sqlite3'))(workerData);",
              "db.exec('begin immediate');",
              "parentPort.postMessage('locked');",
              'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);',
              "db.exec('insert into lock_probe (x) values (\\'holder\\')');",
              "db.exec('commit');",
              'db.close();',
            ].join('\n'),
            { eval: true, workerData: filename },
          );
          try {
            await new Promise((resolve, reject) => {
              holder.once('message', resolve);
              holder.once('error', reject);
            });
            await store.knex.transaction(async (trx) => {
              await trx('lock_probe').count({ n: '*' });
              await trx('lock_probe').insert({ x: 'waited' });
            });
            expect(raw.prepare('select x from lock_probe order by rowid').all()).to.deep.equal([
              { x: 'holder' },
              { x: 'waited' },
            ]);
          } finally {
            await holder.terminate();
            raw.close();
          }
        });
      });
    }

    describe('reachability', function () {
      it('pings an open store, and a ping of a lost connection fails as unavailable', async function () {
        const store = await openFreshStore();
        const pinged = await store.ping().then(
          () => 'answered',
          (error: unknown) => error,
        );
        expect(pinged).to.equal('answered');
        await store.knex.destroy();
        expect(await rejection(store.ping())).to.be.instanceOf(StoreUnavailableError);
      });

      it('fails with a message naming where (no password) and what to do', async function () {
        const url =
          kind === 'mysql'
            ? 'mysql://root:s3cret-pw@127.0.0.1:1/hub'
            : 'sqlite:/dev/null/cannot/be/a/directory/hub.sqlite';
        const error = await rejection(openStoreFor(url));
        expect(error).to.be.instanceOf(StoreUnavailableError);
        const message = (error as Error).message;
        expect(message).not.to.include('s3cret-pw');
        if (kind === 'mysql') {
          expect(message).to.include('mysql://root:***@127.0.0.1:1/hub');
          expect(message).to.include('mariadbd');
          expect(message).to.include('接続できません');
        } else {
          expect(message).to.include('/dev/null/cannot/be/a/directory/hub.sqlite');
          expect(message).to.include('開けません');
        }
      });
    });
  });
});
