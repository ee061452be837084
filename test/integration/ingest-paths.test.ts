import { expect } from 'chai';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type amqp from 'amqplib';
import { loadConfig } from '../../hub/config.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { publishCli } from '../../hub/cli/publish.js';
import { ingestPlugin } from '../../hub/ingest/index.js';
import {
  encodeMovementCsv,
  encodeMovementFixed,
  movementToRecord,
} from '../../connectors/kizon-juki/layouts.js';
import { configureLogger } from '../../hub/logger.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import { sampleMovementRecorded } from '../../schemas/sample.js';
import {
  createVhost,
  eventually,
  publishRaw,
  rawConnection,
  type TestVhost,
} from '../support/broker.js';
import { recordingSink, tempSqliteUrl, type RecordingSink } from '../support/engine-harness.js';
import { flowsDirFor } from '../support/flows.js';
import { runCli } from '../support/run-cli.js';
import { suiteLogFile } from '../support/setup.js';

const movementType = 'resident.movement.recorded';

interface DeadLetter {
  readonly content: Buffer;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly messageId: string | undefined;
}

/** Text of a header (amqplib hands long strings back as Buffers). */
function headerText(letter: DeadLetter, name: string): string | undefined {
  const value = letter.headers[name];
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

describe('ingest: legacy publishing paths (AMQP, HTTP, file drop, outbox, CLI)', function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  let hub: RunningHub;
  let sink: RecordingSink;
  let dir: string;
  let dropDir: string;
  let base: string;
  let token: string;
  let otherToken: string;
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;
  const deadLetters: DeadLetter[] = [];

  /** Drains hub.dead-letters into `deadLetters` (nothing else reads it in this test). */
  async function collectDeadLetters(): Promise<void> {
    for (;;) {
      const message = await channel.get('hub.dead-letters', { noAck: true });
      if (message === false) return;
      deadLetters.push({
        content: message.content,
        headers: message.properties.headers ?? {},
        messageId: message.properties.messageId as string | undefined,
      });
    }
  }

  async function deadLetterWhere(
    predicate: (letter: DeadLetter) => boolean,
    what: string,
  ): Promise<DeadLetter> {
    let found: DeadLetter | undefined;
    await eventually(
      async () => {
        await collectDeadLetters();
        found = deadLetters.find(predicate);
        return found !== undefined;
      },
      20_000,
      what,
    );
    if (found === undefined) throw new Error(what);
    return found;
  }

  function post(
    messageType: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${base}/api/messages/${messageType}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body,
    });
  }

  before(async () => {
    vhost = await createVhost('hub-ingest');
    dir = await mkdtemp(join(tmpdir(), 'hub-ingest-'));
    dropDir = join(dir, 'drop');
    await mkdir(join(dropDir, 'KIZON_JUKI', 'in'), { recursive: true });
    sink = recordingSink('TEST_RECEIVER');
    const config = loadConfig({
      HUB_AMQP_URL: vhost.url,
      HUB_DB_URL: tempSqliteUrl(),
      HUB_HTTP_PORT: '0',
      HUB_DATA_DIR: dir,
      HUB_DROP_DIR: dropDir,
      HUB_FLOWS_DIR: flowsDirFor(
        [
          {
            route: 'ingest-test',
            name: 'ingest-test.receive',
            input: [movementType],
            output: { kind: 'deliver', system: 'TEST_RECEIVER' },
          },
        ],
        [sink],
      ),
      HUB_DROP_POLL_MS: '100',
      HUB_OUTBOX_POLL_MS: '100',
      HUB_INGEST_MAX_BYTES: '65536',
      HUB_SIMULATORS: 'off',
      HUB_LOG_LEVEL: 'debug',
    });
    hub = await startHub(config, {
      sinks: [sink],
      plugins: [ingestPlugin],
    });
    // startHub points the logger at stdout; keep the hub's log in the scanned suite log.
    configureLogger({
      level: 'debug',
      destination: createWriteStream(suiteLogFile, { flags: 'a' }),
    });
    base = `http://127.0.0.1:${String(hub.httpPort)}`;
    const credentials = storeCredentials(hub.store, { bcryptRounds: 4 });
    token = (await credentials.addToken('KIZON_JUKI')).token;
    otherToken = (await credentials.addToken('JUKINET_CS')).token;
    connection = await rawConnection(vhost.url);
    channel = await connection.createConfirmChannel();
  });

  after(async () => {
    await connection.close().catch(() => undefined);
    await hub.stop().catch(() => undefined);
    await vhost.delete();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes the same resident movement through all five paths: the engine receives five valid messages', async () => {
    const movement = sampleMovementRecorded({}, 1);
    const json = JSON.stringify(movement);
    const before = sink.applied.size;

    // 1. AMQP, as a legacy system publishes with its own client.
    await publishRaw(channel, movementType, movement, { appId: 'KIZON_JUKI' });
    // 2. HTTP.
    const response = await post(movementType, json);
    expect(response.status).to.equal(202);
    const { messageId: httpId } = (await response.json()) as { messageId: string };
    expect(httpId).to.match(/^[0-9a-f-]{36}$/);
    // 3. File drop: a fixed-width CP932 export with its completion marker.
    const inbox = join(dropDir, 'KIZON_JUKI', 'in');
    await writeFile(
      join(inbox, 'kizon-movement-fixed_20261127.dat'),
      encodeMovementFixed([movementToRecord(movement)]),
    );
    await writeFile(join(inbox, 'kizon-movement-fixed_20261127.dat.done'), '');
    // 4. Outbox: a row the legacy system writes in its own transaction.
    await hub.store.knex.transaction(async (trx) => {
      await trx('hub_outbox').insert({
        message_type: movementType,
        payload: json,
        source_system: 'KIZON_JUKI',
        correlation_id: 'outbox-corr-1',
      });
    });
    // 5. CLI.
    const file = join(dir, 'movement.json');
    await writeFile(file, json);
    const cli = await runCli(['publish', movementType, file], {
      env: { HUB_AMQP_URL: vhost.url, HUB_DATA_DIR: dir },
    });
    expect(cli.code, cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain('published 1, dead-lettered 0');

    await eventually(() => sink.applied.size >= before + 5, 30_000, 'five deliveries');
    const received = [...sink.applied.values()].slice(before);
    expect(received).to.have.length(5);
    expect(new Set(received.map((message) => message.messageId)).size).to.equal(5);
    for (const message of received) {
      expect(message.messageType).to.equal(movementType);
      expect(message.body).to.deep.equal(movement);
    }
    // The outbox row is marked, and the file is archived with its summary.
    const row = (await hub.store
      .knex('hub_outbox')
      .where({ correlation_id: 'outbox-corr-1' })
      .first()) as {
      published_at: unknown;
      outcome: string;
    };
    expect(row.outcome).to.equal('published');
    expect(row.published_at).to.not.equal(null);
    const summary = JSON.parse(
      await readFile(
        join(dropDir, 'KIZON_JUKI', 'archive', 'kizon-movement-fixed_20261127.dat.summary.json'),
        'utf8',
      ),
    ) as { published: number; deadLettered: number };
    expect(summary).to.include({ published: 1, deadLettered: 0 });
    expect(await readdir(inbox)).to.deep.equal([]);
  });

  it('AMQP: a bad message is dead-lettered by the engine at the first step with its schema paths and original bytes', async () => {
    const bad = Buffer.from(JSON.stringify({ ...sampleMovementRecorded({}, 1), historyNo: 0 }));
    channel.publish('hub.events', movementType, bad, {
      type: movementType,
      messageId: 'amqp-bad-1',
      appId: 'KIZON_JUKI',
      persistent: true,
    });
    await channel.waitForConfirms();
    const letter = await deadLetterWhere(
      (l) => l.messageId === 'amqp-bad-1',
      'the AMQP dead letter',
    );
    expect(letter.content.equals(bad)).to.equal(true);
    expect(headerText(letter, 'x-hub-reason-class')).to.equal('validation');
    expect(headerText(letter, 'x-hub-step')).to.equal('ingest-test.receive');
    expect(headerText(letter, 'x-hub-schema-paths')).to.contain('/historyNo');
  });

  it('HTTP: 400 with every schema error in Japanese and English, and a dead letter of the bytes sent', async () => {
    const movement = sampleMovementRecorded({}, 1);
    const bad = Buffer.from(
      JSON.stringify({ ...movement, historyNo: 0, processedOn: 'yesterday' }),
      'utf8',
    );
    const response = await post(movementType, bad);
    expect(response.status).to.equal(400);
    const answer = (await response.json()) as {
      messageId: string;
      issues: { path: string; ja: string; en: string }[];
    };
    const paths = answer.issues.map((issue) => issue.path);
    expect(paths).to.include('/historyNo');
    expect(paths).to.include('/processedOn');
    for (const issue of answer.issues) {
      expect(issue.ja).to.be.a('string').and.not.equal('');
      expect(issue.en).to.be.a('string').and.not.equal('');
      expect(issue.en).to.not.contain('yesterday');
    }
    const letter = await deadLetterWhere(
      (l) => headerText(l, 'x-hub-source') === 'http',
      'the HTTP dead letter',
    );
    expect(letter.content.equals(bad)).to.equal(true);
    expect(letter.messageId).to.equal(answer.messageId);
    expect(headerText(letter, 'x-hub-reason-class')).to.equal('validation');
    expect(headerText(letter, 'x-hub-schema-paths')).to.contain('/historyNo');
    expect(headerText(letter, 'x-hub-reason-ja')).to.be.a('string');
    expect(headerText(letter, 'x-hub-reason-en')).to.be.a('string');

    const notJson = await post(movementType, '{"lgCode":');
    expect(notJson.status).to.equal(400);
  });

  it('HTTP: 401 without a token, 403 for a system that does not produce the type, 404 for an unknown type, 413 over the limit', async () => {
    const json = JSON.stringify(sampleMovementRecorded({}, 1));
    const anonymous = await fetch(`${base}/api/messages/${movementType}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
    expect(anonymous.status).to.equal(401);
    const wrongSystem = await post(movementType, json, { authorization: `Bearer ${otherToken}` });
    expect(wrongSystem.status).to.equal(403);
    const unknown = await post('resident.movement.recordedd', json);
    expect(unknown.status).to.equal(404);
    const message = ((await unknown.json()) as { error: { message: string } }).error.message;
    expect(message).to.contain('Unknown message type').and.contain('未知の電文種別');
    const big = await post(movementType, `{"x":"${'a'.repeat(70_000)}"}`);
    expect(big.status).to.equal(413);
  });

  it('HTTP: an Idempotency-Key gives the same messageId and one publication; another body under it is 409', async () => {
    const movement = sampleMovementRecorded({ historyNo: 33 }, 1);
    const json = JSON.stringify(movement);
    const first = await post(movementType, json, { 'idempotency-key': 'order-7' });
    expect(first.status).to.equal(202);
    const { messageId } = (await first.json()) as { messageId: string };
    const second = await post(movementType, json, { 'idempotency-key': 'order-7' });
    expect(second.status).to.equal(202);
    expect(((await second.json()) as { messageId: string }).messageId).to.equal(messageId);
    const conflict = await post(movementType, JSON.stringify({ ...movement, historyNo: 34 }), {
      'idempotency-key': 'order-7',
    });
    expect(conflict.status).to.equal(409);
    // The engine names the input message in x-hub-causation-id of what it delivers.
    const copies = () =>
      sink.deliveries.filter((entry) => entry.message.headers['x-hub-causation-id'] === messageId);
    await eventually(() => copies().length > 0, 20_000, 'the idempotent message');
    // Published once: the broker holds no second copy for the step.
    await eventually(
      async () => (await channel.checkQueue('hub.step.ingest-test.receive')).messageCount === 0,
      10_000,
      'the step queue drained',
    );
    await eventually(
      async () =>
        (await hub.store.knex('message_outcomes').where({ message_id: messageId })).length > 0,
      10_000,
      'the outcome row',
    );
    const outcomes = await hub.store.knex('message_outcomes').where({ message_id: messageId });
    expect(outcomes.map((row: { outcome: string }) => row.outcome)).to.deep.equal(['delivered']);
    expect(copies()).to.have.length(1);
    const rows = await hub.store.knex('hub_ingest_keys').where({ idempotency_key: 'order-7' });
    expect(rows).to.have.length(1);
  });

  it('file drop: a bad CSV line becomes a dead letter with file name, line and its bytes; the good lines are published; the summary counts both', async () => {
    const good = movementToRecord(sampleMovementRecorded({ historyNo: 21 }, 1));
    const bad = { ...good, juminhyoCode: 'X1', historyNo: '22' };
    const good2 = { ...good, historyNo: '23' };
    const csv = encodeMovementCsv([good, bad, good2]);
    const inbox = join(dropDir, 'KIZON_JUKI', 'in');
    // No marker: taken once its size is stable across two scans.
    await writeFile(join(inbox, 'kizon-movement-csv_20261128.csv'), csv);
    const letter = await deadLetterWhere(
      (l) => headerText(l, 'x-hub-file-name') === 'kizon-movement-csv_20261128.csv',
      'the file dead letter',
    );
    expect(headerText(letter, 'x-hub-source')).to.equal('file');
    expect(headerText(letter, 'x-hub-file-line')).to.equal('3');
    // The second record (the header row is line 1), read with the CSV layout.
    expect(headerText(letter, 'x-hub-file-record')).to.equal('2');
    expect(headerText(letter, 'x-hub-file-layout')).to.equal('kizon-movement-csv');
    const lines = csv.toString('latin1').split('\r\n');
    expect(letter.content.equals(Buffer.from(lines[2] ?? '', 'latin1'))).to.equal(true);
    expect(headerText(letter, 'x-hub-schema-paths')).to.contain('/resident/juminhyoCode');
    const summaryFile = join(
      dropDir,
      'KIZON_JUKI',
      'archive',
      'kizon-movement-csv_20261128.csv.summary.json',
    );
    await eventually(
      () =>
        readFile(summaryFile).then(
          () => true,
          () => false,
        ),
      20_000,
      'the archive summary',
    );
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as Record<string, unknown>;
    expect(summary).to.deep.include({
      records: 3,
      published: 2,
      deadLettered: 1,
      deadLetteredLines: [3],
    });
    expect(JSON.stringify(summary)).to.not.contain(good.name);
  });

  it('file drop: a CSV with the documented YYYYMMDD dates (00000000 for none) publishes', async () => {
    const movement = sampleMovementRecorded({ historyNo: 31 }, 1);
    const record = movementToRecord(movement);
    const compact = (value: string) => value.replaceAll('-', '');
    const dated = {
      ...record,
      movedOn: compact(record.movedOn),
      processedOn: compact(record.processedOn),
      notifiedOn: record.notifiedOn === '' ? '00000000' : compact(record.notifiedOn),
      birthDate: compact(record.birthDate),
    };
    expect(dated.processedOn).to.match(/^[0-9]{8}$/);
    const before = sink.deliveries.length;
    await writeFile(
      join(dropDir, 'KIZON_JUKI', 'in', 'kizon-movement-csv_20261203.csv'),
      encodeMovementCsv([dated]),
    );
    await eventually(
      () =>
        sink.deliveries
          .slice(before)
          .some((delivery) => (delivery.message.body as { historyNo?: unknown }).historyNo === 31),
      20_000,
      'the CSV record delivered',
    );
    const delivered = sink.deliveries
      .slice(before)
      .find((delivery) => (delivery.message.body as { historyNo?: unknown }).historyNo === 31);
    const body = delivered?.message.body as { processedOn?: string; movedOn?: { value?: string } };
    expect(body.processedOn).to.equal(record.processedOn);
    expect(body.movedOn?.value).to.equal(record.movedOn);
  });

  it('file drop: a fixed-width record of the wrong length is dead-lettered with its line', async () => {
    const record = encodeMovementFixed([
      movementToRecord(sampleMovementRecorded({ historyNo: 25 }, 1)),
    ]);
    const broken = Buffer.concat([record, Buffer.from('SHORT RECORD\r\n')]);
    const inbox = join(dropDir, 'KIZON_JUKI', 'in');
    await writeFile(join(inbox, 'kizon-movement-fixed_broken.dat'), broken);
    await writeFile(join(inbox, 'kizon-movement-fixed_broken.dat.done'), '');
    const letter = await deadLetterWhere(
      (l) => headerText(l, 'x-hub-file-name') === 'kizon-movement-fixed_broken.dat',
      'the fixed-width dead letter',
    );
    expect(headerText(letter, 'x-hub-file-line')).to.equal('2');
    expect(letter.content.toString('latin1')).to.equal('SHORT RECORD');
  });

  it('outbox: an invalid row is dead-lettered with its payload and marked, not retried forever', async () => {
    const payload = '{"lgCode":"131016","historyNo":"one"}';
    const [id] = await hub.store.knex('hub_outbox').insert({
      message_type: movementType,
      payload,
      source_system: 'KIZON_JUKI',
    });
    const letter = await deadLetterWhere(
      (l) => headerText(l, 'x-hub-source') === 'outbox',
      'the outbox dead letter',
    );
    expect(letter.content.toString('utf8')).to.equal(payload);
    expect(headerText(letter, 'x-hub-outbox-id')).to.equal(String(id));
    await eventually(
      async () => {
        const row = (await hub.store.knex('hub_outbox').where({ id }).first()) as {
          outcome: string | null;
        };
        return row.outcome === 'dead-lettered';
      },
      10_000,
      'the row marked',
    );
    const row = (await hub.store.knex('hub_outbox').where({ id }).first()) as {
      attempts: number;
      last_error: string;
      published_at: unknown;
    };
    expect(row.attempts).to.equal(1);
    expect(row.published_at).to.not.equal(null);
    expect(row.last_error).to.contain('resident.movement.recorded');
  });

  it('CLI: JSON Lines with a bad line publish the good ones, dead-letter the bad one and exit 1', async () => {
    const good = JSON.stringify(sampleMovementRecorded({ historyNo: 31 }, 1));
    const bad = JSON.stringify({ lgCode: '131016' });
    const file = join(dir, 'movements.jsonl');
    await writeFile(file, `${good}\n${bad}\n`);
    const cli = await runCli(['publish', movementType, file], {
      env: { HUB_AMQP_URL: vhost.url, HUB_DATA_DIR: dir },
    });
    expect(cli.code, cli.stderr).to.equal(1);
    expect(cli.stdout).to.contain('published 1, dead-lettered 1');
    expect(cli.stdout).to.match(/rejected \/ 拒否: line 2: \//);
    const letter = await deadLetterWhere(
      (l) => headerText(l, 'x-hub-source') === 'cli',
      'the CLI dead letter',
    );
    expect(letter.content.toString('utf8')).to.equal(bad);
    expect(headerText(letter, 'x-hub-file-line')).to.equal('2');
  });

  it('CLI: --layout reads a fixed-width export; an unknown layout is a usage error', async () => {
    const file = join(dir, 'export.dat');
    await writeFile(
      file,
      encodeMovementFixed([movementToRecord(sampleMovementRecorded({ historyNo: 35 }, 1))]),
    );
    const ok = await runCli(['publish', movementType, file, '--layout', 'kizon-movement-fixed'], {
      env: { HUB_AMQP_URL: vhost.url, HUB_DATA_DIR: dir },
    });
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain('published 1, dead-lettered 0');
    // Usage errors are decided before any connection: checked in-process, without a second CLI start.
    expect(await publishCli(movementType, file, { layout: 'nope', progress: false })).to.equal(2);
    expect(await publishCli('resident.movement.recordedd', file, { progress: false })).to.equal(2);
  });
});
