import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import { openStore } from '../../hub/store/index.js';
import { createVhost, eventually, rawConnection, type TestVhost } from '../support/broker.js';
import { tempSqliteUrl } from '../support/engine-harness.js';

/** Starts a hub engine in its own process (so it can be killed with SIGKILL). */
async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/fault-worker.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(() => output.includes('ready'), 90_000, 'the worker to start');
  return child;
}

describe('fault: SIGKILL part-way through 20k messages', function () {
  this.timeout(300_000);
  let vhost: TestVhost;
  let server: Server;
  const children: ChildProcess[] = [];

  before(async () => {
    vhost = await createVhost('hub-fault');
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    server.close();
    await vhost.delete();
  });

  it('processes every message exactly once at the destination: none lost, none doubled', async () => {
    const total = 20_000;
    // The fake external system: applies each idempotency key once, counts every POST.
    const applied = new Set<string>();
    let posts = 0;
    server = createServer((request, response) => {
      const key = String(request.headers['idempotency-key']);
      request.resume();
      request.on('end', () => {
        posts += 1;
        applied.add(key);
        response.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const sinkUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/deliveries`;
    const dbUrl = tempSqliteUrl();
    const env = { FAULT_AMQP_URL: vhost.url, FAULT_DB_URL: dbUrl, FAULT_SINK_URL: sinkUrl };

    const first = await startWorker(env);
    children.push(first);
    const connection = await rawConnection(vhost.url);
    const channel = await connection.createConfirmChannel();
    for (let index = 0; index < total; index += 1) {
      const body = { subject: `s${String(index % 100)}`, seq: index, value: index };
      channel.publish(EVENTS_EXCHANGE, 'test.item.recorded', Buffer.from(JSON.stringify(body)), {
        type: 'test.item.recorded',
        messageId: `k-${String(index)}`,
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    await connection.close();

    await eventually(() => applied.size >= 5_000, 120_000, 'a quarter of the messages');
    first.kill('SIGKILL');
    await once(first, 'exit');
    const atKill = applied.size;
    expect(atKill).to.be.lessThan(total);

    children.push(await startWorker(env));
    await eventually(() => applied.size === total, 240_000, 'every message after the restart');

    // The hub's own record: each input processed once per step, never twice.
    const store = await openStore(dbUrl, { migrate: false });
    try {
      const perStep = async (step: string, outcome: string) => {
        const rows: { message_id: string; n: number | string }[] = await store
          .knex('message_outcomes')
          .where({ step, outcome })
          .select('message_id')
          .count({ n: '*' })
          .groupBy('message_id');
        return rows;
      };
      await eventually(
        async () => (await perStep('test.deliver', 'delivered')).length === total,
        30_000,
        'every delivery recorded',
      );
      for (const [step, outcome] of [
        ['test.forward', 'published'],
        ['test.deliver', 'delivered'],
      ] as const) {
        const rows = await perStep(step, outcome);
        expect(rows, `${step} ${outcome}`).to.have.length(total);
        expect(
          rows.filter((row) => Number(row.n) !== 1),
          `${step} doubled`,
        ).to.have.length(0);
      }
    } finally {
      await store.close();
    }
    expect(applied.size).to.equal(total);
    // At-least-once on the wire: the kill window may have re-sent a few, each applied once.
    expect(posts).to.be.at.least(total);
  });
});
