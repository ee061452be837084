import { expect } from 'chai';
import { logChild } from '../support/hub-logs.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import type amqp from 'amqplib';
import { openStore } from '../../hub/store/index.js';
import { sagas } from '../../hub/store/sagas.js';
import type { Store } from '../../hub/store/types.js';
import type { SimulatorSet } from '../../connectors/index.js';
import { sampleAtenaNumber, sampleJuminhyoCode } from '../../schemas/sample.js';
import {
  createVhost,
  eventually,
  publishRaw,
  rawConnection,
  type TestVhost,
} from '../support/broker.js';
import { tempSqliteUrl } from '../support/engine-harness.js';
import {
  cardEvents,
  elevenSteps,
  expectedTakes,
  issueCard,
  rawIngress,
  startSagaSimulators,
  takenBy,
} from '../support/saga-harness.js';

async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/saga-worker.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its hub log goes to HUB_TEST_LOG (this process's suite log); stdout/stderr are kept too.
  logChild(child, 'saga-worker');
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(
    () => output.includes('ready') || child.exitCode !== null || child.signalCode !== null,
    90_000,
    'the worker to start',
  );
  return child;
}

describe('fault: the saga hub killed (kill -9) at three points and restarted', function () {
  this.timeout(300_000);
  let vhost: TestVhost;
  let connection: amqp.ChannelModel;
  let sims: SimulatorSet;
  let store: Store | undefined;
  const children: ChildProcess[] = [];

  before(async () => {
    vhost = await createVhost('hub-saga-fault');
    connection = await rawConnection(vhost.url);
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await store?.close();
    await sims.stop();
    await connection.close().catch(() => undefined);
    await vhost.delete();
  });

  it('completes the case; no step runs twice at an external system', async () => {
    const channel = await connection.createConfirmChannel();
    sims = await startSagaSimulators(rawIngress(channel));
    const env = {
      SAGA_AMQP_URL: vhost.url,
      SAGA_DB_URL: tempSqliteUrl(),
      SAGA_URLS: JSON.stringify(sims.urls()),
      SAGA_KEY: randomBytes(32).toString('hex'),
    };
    const code = sampleJuminhyoCode(81);
    await issueCard(sims, code, '131016');
    const correlationId = randomUUID();
    let opened = false;
    // Each point: the system took the step, the hub died before recording it.
    const points: [string, number, () => Promise<boolean>][] = [
      [
        'request-certificate',
        1,
        async () =>
          (await takenBy(sims, 'JUKINET_CS', correlationId)).includes(
            'special-move-in.certificate-info.requested',
          ),
      ],
      ['move-in', 3, async () => (await takenBy(sims, 'KIZON_JUKI', correlationId)).length === 1],
      [
        'card-continued-use',
        10,
        async () => (await cardEvents(sims, code)).includes('CONTINUED_USE'),
      ],
    ];
    for (const [step, index, taken] of points) {
      const worker = await startWorker({ ...env, SAGA_KILL_AFTER: step });
      children.push(worker);
      if (!opened) {
        opened = true;
        await publishRaw(
          channel,
          'special-move-in.accepted',
          {
            correlationId,
            lgCode: '131016',
            fromLgCode: '271004',
            cardHolderJuminhyoCode: code,
            atenaNumber: sampleAtenaNumber(81),
            movedInOn: '2026-12-01',
          },
          { correlationId },
        );
      }
      if (worker.signalCode === null) await once(worker, 'exit');
      expect(worker.signalCode, step).to.equal('SIGKILL');
      expect(await taken(), `${step} taken by its system`).to.equal(true);
      store ??= await openStore(env.SAGA_DB_URL, { migrate: false });
      const saga = await sagas(store).get(correlationId);
      expect(saga?.stepIndex, `${step} not recorded`).to.equal(index);
    }
    const last = await startWorker(env);
    children.push(last);
    const repo = sagas(store ?? (await openStore(env.SAGA_DB_URL, { migrate: false })));
    await eventually(
      async () => (await repo.get(correlationId))?.state === 'DONE',
      60_000,
      'the case to complete',
    );
    const saga = await repo.get(correlationId);
    if (saga === undefined) throw new Error('no case');
    expect((await repo.steps(saga.id)).map((row) => row.stepId)).to.deep.equal(elevenSteps);
    for (const [system, types] of Object.entries(expectedTakes)) {
      expect(
        (await takenBy(sims, system as keyof typeof expectedTakes, correlationId)).sort(),
        system,
      ).to.deep.equal([...types].sort());
    }
    expect(await cardEvents(sims, code)).to.deep.equal(['ISSUED', 'CONTINUED_USE']);
  });
});
