import { expect } from 'chai';
import { flowsDirFor } from '../support/flows.js';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type amqp from 'amqplib';
import { loadConfig } from '../../hub/config.js';
import { deadLettersPlugin } from '../../hub/dead-letters/http.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { ingestPlugin } from '../../hub/ingest/index.js';
import { encodeMovementFixed, movementToRecord } from '../../connectors/kizon-juki/layouts.js';
import { configureLogger } from '../../hub/logger.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import { sampleMovementRecorded } from '../../schemas/sample.js';
import { createVhost, eventually, rawConnection, type TestVhost } from '../support/broker.js';
import { withStores } from '../support/db.js';
import { recordingSink, type RecordingSink } from '../support/engine-harness.js';
import { validMyNumbersIn, validMyNumbersInBytes } from '../support/my-number-scan.js';
import { suiteLogFile } from '../support/setup.js';

const movementType = 'resident.movement.recorded';
// Synthetic numbers with valid check digits (DOMAIN.md §3.1).
const numbers = ['123456789018', '621498320257', '983205673214', '379474484458'];

/**
 * Machine values the scanner skips: UUIDs and hex strings with a letter (hashes, trace ids, sealed
 * data as hex). The corpus never writes a number inside one, and a random one can hold a 12-digit
 * run with a valid check digit.
 */
function withoutMachineIds(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ' ')
    .replace(/[0-9a-f]*[a-f][0-9a-f]*/gi, (token) => (token.length >= 16 ? ' ' : token));
}

function leaksInCell(cell: unknown): string[] {
  if (cell === null || cell === undefined) return [];
  if (Buffer.isBuffer(cell)) return validMyNumbersInBytes(cell);
  if (typeof cell === 'number' || typeof cell === 'bigint') {
    const text = cell.toString();
    return text.length === 12 ? validMyNumbersIn(text) : [];
  }
  if (cell instanceof Date) return [];
  return validMyNumbersIn(
    withoutMachineIds(typeof cell === 'string' ? cell : JSON.stringify(cell)),
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('nothing personal at rest: a leak corpus through AMQP, HTTP and file drop (issue 13 item 4)', function () {
  this.timeout(180_000);
  withStores(({ kind, freshDbUrl }) => {
    let vhost: TestVhost;
    let hub: RunningHub | undefined;
    let dir: string;
    let sink: RecordingSink;
    let connection: amqp.ChannelModel;

    afterEach(async () => {
      await connection.close().catch(() => undefined);
      await hub?.stop().catch(() => undefined);
      hub = undefined;
      await vhost.delete();
      await rm(dir, { recursive: true, force: true });
    });

    it('after the corpus, no table and no file of the data directory holds a valid My Number (UTF-8 and CP932)', async () => {
      vhost = await createVhost('hub-leak-at-rest');
      dir = await mkdtemp(join(tmpdir(), 'hub-leak-'));
      const dropDir = join(dir, 'drop');
      const inbox = join(dropDir, 'KIZON_JUKI', 'in');
      await mkdir(inbox, { recursive: true });
      const dbUrl = await freshDbUrl();
      sink = recordingSink('TEST_RECEIVER');
      hub = await startHub(
        loadConfig({
          HUB_AMQP_URL: vhost.url,
          HUB_DB_URL: dbUrl,
          HUB_HTTP_PORT: '0',
          HUB_DATA_DIR: dir,
          HUB_DROP_DIR: dropDir,
          HUB_DROP_POLL_MS: '100',
          HUB_OUTBOX_POLL_MS: '0',
          HUB_SIMULATORS: 'off',
          HUB_LOG_LEVEL: 'debug',
          HUB_FLOWS_DIR: flowsDirFor(
            [
              {
                route: 'leak-test',
                name: 'leak-test.receive',
                input: [movementType],
                output: { kind: 'deliver', system: 'TEST_RECEIVER' },
                idempotencyKey: '/myNumberProbe',
                retry: { maxAttempts: 1 },
              },
            ],
            [sink],
          ),
        }),
        {
          sinks: [sink],
          plugins: [ingestPlugin, deadLettersPlugin],
        },
      );
      configureLogger({
        level: 'debug',
        destination: createWriteStream(suiteLogFile, { flags: 'a' }),
      });
      const base = `http://127.0.0.1:${String(hub.httpPort)}`;
      const token = (await storeCredentials(hub.store, { bcryptRounds: 4 }).addToken('KIZON_JUKI'))
        .token;
      connection = await rawConnection(vhost.url);
      const channel = await connection.createConfirmChannel();
      const movement = sampleMovementRecorded({}, 1);
      const json = Buffer.from(JSON.stringify(movement));
      const [a, b, c, d] = numbers as [string, string, string, string];

      // AMQP: numbers in every property, header names and values, the routing key, the body.
      const amqpCases: { key?: string; body?: Buffer; options: amqp.Options.Publish }[] = [
        { options: { messageId: a } },
        { options: { correlationId: `case-${b}` } },
        { options: { type: `${movementType}.${c}` } },
        { options: { appId: `kizon ${d}` } },
        { options: { headers: { [`x-${a}`]: 'name' } } },
        { options: { headers: { 'x-value': { nested: [`1234-5678-9018`] } } } },
        // A number in the routing key: no step binds that key, so the broker keeps nothing of it
        // (the quarantine of a bound routing key is in policy.test.ts, where a step binds a pattern).
        { key: `${movementType}.${b}`, options: {} },
        // A body with a number as a property name (validation error naming it) and in free text.
        { body: Buffer.from(JSON.stringify({ ...movement, [c]: 'x' })), options: {} },
        { body: Buffer.from(JSON.stringify({ ...movement, myNumberProbe: d })), options: {} },
      ];
      for (const item of amqpCases) {
        channel.publish('hub.events', item.key ?? movementType, item.body ?? json, {
          type: movementType,
          messageId: randomUUID(),
          persistent: true,
          ...item.options,
        });
      }
      await channel.waitForConfirms();
      // HTTP: a number in the body's keys, the idempotency key, the correlation id.
      const post = (body: Buffer, headers: Record<string, string> = {}) =>
        fetch(`${base}/api/messages/${movementType}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            ...headers,
          },
          body,
        });
      // A 400 names the refused property, masked: the name is a number here.
      const refusedKey = await post(Buffer.from(JSON.stringify({ ...movement, [a]: 1 })));
      expect(refusedKey.status).to.equal(400);
      const refusedText = await refusedKey.text();
      expect(refusedText).to.contain('[個人番号]');
      expect(validMyNumbersIn(refusedText)).to.deep.equal([]);
      expect((await post(json, { 'Idempotency-Key': b })).status).to.equal(400);
      expect((await post(json, { 'X-Correlation-Id': c })).status).to.equal(400);
      const unknown = await fetch(`${base}/api/messages/x.${d}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: json,
      });
      expect(unknown.status).to.equal(404);
      expect(validMyNumbersIn(await unknown.text())).to.deep.equal([]);
      // File drop: a number in the file name.
      const fileName = `kizon-movement-fixed_${a}.dat`;
      await writeFile(join(inbox, fileName), encodeMovementFixed([movementToRecord(movement)]));
      await writeFile(join(inbox, `${fileName}.done`), '');

      // Every AMQP case but the unbound routing key, and the dropped file's record.
      const expectedLetters = amqpCases.filter((item) => item.key === undefined).length + 1;
      const running = hub;
      await eventually(
        async () => {
          const counted: { n: number | string }[] = await running.store
            .knex('dead_letters')
            .count({ n: '*' });
          const archived = await readdir(join(dropDir, 'KIZON_JUKI', 'archive')).catch(() => []);
          return Number(counted[0]?.n ?? 0) >= expectedLetters && archived.length >= 2;
        },
        60_000,
        'every corpus message dead-lettered and archived, and the file archived',
      );
      await hub.store.outcomes.flush();
      // The sink received nothing that holds a number.
      expect(validMyNumbersIn(JSON.stringify([...sink.applied.values()]))).to.deep.equal([]);

      // Every table, every cell.
      const knex = hub.store.knex;
      const listed: unknown = await knex.raw(
        kind === 'sqlite'
          ? "select name from sqlite_master where type = 'table'"
          : 'select table_name as name from information_schema.tables where table_schema = database()',
      );
      const tableRows = (kind === 'sqlite' ? listed : (listed as unknown[])[0]) as {
        name: string;
      }[];
      // Every table but the migrator's own bookkeeping (migration file names are 14-digit times).
      const tables = tableRows
        .map((row) => row.name)
        .filter((name) => !name.startsWith('knex_migrations') && !name.startsWith('sqlite_'));
      expect(tables).to.include.members([
        'dead_letters',
        'message_outcomes',
        'processed_keys',
        'hub_ingest_files',
      ]);
      const found: string[] = [];
      for (const table of tables) {
        const rows = (await knex(table).select('*')) as Record<string, unknown>[];
        for (const row of rows) {
          for (const [column, cell] of Object.entries(row)) {
            if (leaksInCell(cell).length > 0) found.push(`${table}.${column}`);
          }
        }
      }
      expect(found, 'table columns holding a My Number').to.deep.equal([]);

      // Every file of the data directory, its name and its bytes; archives are sealed, mode 0600.
      await hub.stop();
      hub = undefined;
      const files = await filesUnder(dir);
      if (kind === 'sqlite') files.push(dbUrl.replace(/^sqlite:/, ''));
      const leakyFiles: string[] = [];
      for (const file of files) {
        if (validMyNumbersIn(file).length > 0) leakyFiles.push(`name: ${file}`);
        const bytes = await readFile(file).catch(() => Buffer.alloc(0));
        // The SQLite file holds the migrator's bookkeeping too: migration names start with 14-digit times.
        const text = withoutMachineIds(bytes.toString('latin1')).replace(
          /[0-9]{14}_[a-z0-9_]+/g,
          ' ',
        );
        if (validMyNumbersInBytes(Buffer.from(text, 'latin1')).length > 0) leakyFiles.push(file);
      }
      expect(leakyFiles, 'data-directory files holding a My Number').to.deep.equal([]);
      const archived = await filesUnder(join(dropDir, 'KIZON_JUKI', 'archive'));
      expect(archived.some((file) => file.endsWith('.sealed'))).to.equal(true);
      for (const file of archived) expect((await stat(file)).mode & 0o777, file).to.equal(0o600);
    });
  });
});
