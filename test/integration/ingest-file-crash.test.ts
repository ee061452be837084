import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { loadConfig } from '../../hub/config.js';
import { encodeMovementFixed, movementToRecord } from '../../connectors/kizon-juki/layouts.js';
import type { FileSummary } from '../../hub/ingest/file-drop.js';
import { configureLogger } from '../../hub/logger.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import { sampleMovementRecorded } from '../../schemas/sample.js';
import { createVhost, eventually, type TestVhost } from '../support/broker.js';
import { secondConnection } from '../support/db.js';
import { flowsDirFor } from '../support/flows.js';
import { recordingSink, tempSqliteUrl } from '../support/engine-harness.js';
import { repoRoot } from '../support/run-cli.js';
import { logChild } from '../support/hub-logs.js';
import { suiteLogFile } from '../support/setup.js';

const movementType = 'resident.movement.recorded';

/**
 * A hub in its own process with only the ingest plugin (so it can be killed with SIGKILL): the same
 * startHub as `hub start`; its flows directory (HUB_FLOWS_DIR in `env`) holds no route.
 */
function startIngestHub(env: Record<string, string>): Promise<ChildProcess> {
  const module = (path: string) => JSON.stringify(pathToFileURL(join(repoRoot, path)).href);
  const script = [
    `const { loadConfig } = await import(${module('hub/config.ts')});`,
    `const { startHub } = await import(${module('hub/main.ts')});`,
    `const { ingestPlugin } = await import(${module('hub/ingest/index.ts')});`,
    'await startHub(loadConfig(process.env), { plugins: [ingestPlugin] });',
    "process.stdout.write('ready\\n');",
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logChild(child, 'ingest hub');
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return eventually(() => output.includes('ready\n'), 30_000, 'the ingest hub to start').then(
    () => child,
  );
}

describe('ingest: file drop survives SIGKILL mid-file', function () {
  this.timeout(240_000);
  let vhost: TestVhost;
  let dir: string;
  let engineHub: RunningHub;
  let progress: Knex;
  const children: ChildProcess[] = [];

  before(async () => {
    vhost = await createVhost('hub-file-crash');
    dir = await mkdtemp(join(tmpdir(), 'hub-file-crash-'));
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await progress.destroy().catch(() => undefined);
    await engineHub.stop().catch(() => undefined);
    await vhost.delete();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes every record of the file once after a restart: none lost, none delivered twice', async () => {
    const total = 3_000;
    const dropDir = join(dir, 'drop');
    const inbox = join(dropDir, 'KIZON_JUKI', 'in');
    await mkdir(inbox, { recursive: true });
    // The engine that receives the records runs here; the hub that reads the file is the child.
    const sink = recordingSink('TEST_RECEIVER');
    engineHub = await startHub(
      loadConfig({
        HUB_AMQP_URL: vhost.url,
        HUB_DB_URL: tempSqliteUrl(),
        HUB_HTTP_PORT: '0',
        HUB_DATA_DIR: join(dir, 'engine'),
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
        HUB_SIMULATORS: 'off',
      }),
      {
        sinks: [sink],
        plugins: [],
      },
    );
    configureLogger({
      level: 'debug',
      destination: createWriteStream(suiteLogFile, { flags: 'a' }),
    });

    const childDb = tempSqliteUrl();
    const env = {
      HUB_AMQP_URL: vhost.url,
      HUB_DB_URL: childDb,
      HUB_HTTP_PORT: '0',
      HUB_DATA_DIR: join(dir, 'child'),
      HUB_FLOWS_DIR: flowsDirFor([], []),
      HUB_DROP_DIR: dropDir,
      HUB_DROP_POLL_MS: '50',
      HUB_OUTBOX_POLL_MS: '0',
      HUB_SIMULATORS: 'off',
      HUB_LOG_LEVEL: 'debug',
    };
    const first = await startIngestHub(env);
    children.push(first);
    progress = secondConnection(childDb);

    const record = movementToRecord(sampleMovementRecorded({}, 1));
    const records = Array.from({ length: total }, (_, index) => ({
      ...record,
      historyNo: String(index + 1),
    }));
    const name = 'kizon-movement-fixed_crash.dat';
    await writeFile(join(inbox, name), encodeMovementFixed(records));
    await writeFile(join(inbox, `${name}.done`), '');

    // Kill once some lines are committed and the file is not finished.
    let atKill = 0;
    await eventually(
      async () => {
        const row = (await progress('hub_ingest_files')
          .first()
          .catch(() => undefined)) as { last_line: number; finished_at: unknown } | undefined;
        if (row === undefined || row.last_line === 0 || row.finished_at !== null) return false;
        first.kill('SIGKILL');
        atKill = row.last_line;
        return true;
      },
      60_000,
      'the child to commit part of the file',
    );
    await once(first, 'exit').catch(() => undefined);
    expect(atKill).to.be.greaterThan(0).and.lessThan(total);

    const second = await startIngestHub(env);
    children.push(second);
    const summaryFile = join(dropDir, 'KIZON_JUKI', 'archive', `${name}.summary.json`);
    await eventually(
      () =>
        readFile(summaryFile).then(
          () => true,
          () => false,
        ),
      120_000,
      'the file archived after the restart',
    );
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as FileSummary;
    expect(summary.records).to.equal(total);
    expect(summary.published).to.equal(total);
    expect(summary.deadLettered).to.equal(0);

    // Every record reaches the engine once: the copies republished after the kill carry the
    // message id of their first copy (file SHA-256 + line) and are recognised as duplicates.
    const historyNos = () =>
      new Set(
        [...sink.applied.values()].map(
          (message) => (message.body as { historyNo: number }).historyNo,
        ),
      );
    await eventually(() => historyNos().size >= total, 120_000, 'every record delivered');
    expect(historyNos().size).to.equal(total);
    expect(sink.deliveries.length).to.equal(total);
  });
});
