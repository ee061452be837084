/**
 * Issue 22, item 3: two replicas holding copies of one message at the same instant apply it once.
 * The race is forced: two engines (two replicas) consume one queue on the three-node cluster with a
 * shared MariaDB store; two copies of one message go one to each; the destination holds the first
 * delivery open until the second replica has received its copy and is provably past its
 * processed-key check (it is waiting on the claim). Without the claim both deliver.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import type { OutboundMessage, Sink, StepSpec } from '../../hub/engine/step.js';
import { eventually, rawConnection } from '../support/broker.js';
import {
  clusterCtl,
  clusterNodes,
  createClusterVhost,
  type ClusterVhost,
} from '../support/cluster.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startEngine, type Harness } from '../support/engine-harness.js';

const step: StepSpec = {
  route: 'test',
  name: 'test.race',
  input: ['test.item.forwarded'],
  idempotencyKey: '/seq',
  output: { kind: 'deliver', system: 'TEST_SYSTEM' },
};

/** The destination: counts every delivery call and holds the first open until released. */
function gatedSink() {
  const calls: OutboundMessage[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const sink: Sink = {
    system: 'TEST_SYSTEM',
    allowsMyNumber: false,
    async deliver(message) {
      calls.push(message);
      await gate;
    },
  };
  return { sink, calls, open };
}

async function counter(harness: Harness, name: string): Promise<number> {
  const metric = await harness.metrics.registry.getSingleMetricAsString(name);
  return metric
    .split('\n')
    .filter((line) => line.startsWith(name) && line.includes('test.race'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('cluster: two replicas racing on copies of one message (issue 22, item 3)', function () {
  this.timeout(180_000);
  let vhost: ClusterVhost;
  let db: TestDatabase;
  const harnesses: Harness[] = [];

  before(async () => {
    vhost = await createClusterVhost('hub-race');
    db = await createTestDatabase('mysql');
  });
  after(async () => {
    for (const harness of harnesses) await harness.stop();
    await vhost.delete();
    await db.drop();
  });

  it('applies it once: the second copy waits on the claim, then is a duplicate', async () => {
    const destination = gatedSink();
    // Replica A on node 1, replica B on node 2; prefetch 1 so the two copies go one to each.
    const a = await startEngine({
      url: vhost.urls(1),
      dbUrl: db.url,
      steps: [step],
      sinks: [destination.sink],
      prefetch: 1,
    });
    harnesses.push(a);
    const b = await startEngine({
      url: vhost.urls(2),
      dbUrl: db.url,
      steps: [step],
      sinks: [destination.sink],
      prefetch: 1,
    });
    harnesses.push(b);

    const connection = await rawConnection(vhost.url(3));
    const channel = await connection.createConfirmChannel();
    const body = Buffer.from(JSON.stringify({ subject: 's1', seq: 7, doubled: 2 }));
    // Two copies: a republish after a lost confirm, as the hub's own publisher makes them.
    const messageId = randomUUID();
    for (let copy = 0; copy < 2; copy += 1)
      channel.publish(EVENTS_EXCHANGE, 'test.item.forwarded', body, {
        type: 'test.item.forwarded',
        messageId,
        persistent: true,
      });
    await channel.waitForConfirms();
    await connection.close();

    // Both replicas hold a copy, one is delivering, the other is past its processed-key check and
    // waiting on the claim: the race is on.
    await eventually(
      async () =>
        (await counter(a, 'hub_messages_consumed_total')) === 1 &&
        (await counter(b, 'hub_messages_consumed_total')) === 1 &&
        destination.calls.length >= 1,
      30_000,
      'one copy at each replica, one delivering',
    );
    await eventually(
      async () =>
        (await counter(a, 'hub_claim_waits_total')) + (await counter(b, 'hub_claim_waits_total')) >
        0,
      10_000,
      'the second copy waiting on the claim',
    );
    expect(destination.calls, 'deliveries while the first is held open').to.have.length(1);
    destination.open();

    await eventually(
      async () =>
        (await counter(a, 'hub_messages_duplicate_total')) +
          (await counter(b, 'hub_messages_duplicate_total')) ===
        1,
      30_000,
      'the second copy acknowledged as a duplicate',
    );
    expect(destination.calls).to.have.length(1);
    // The step queue is a quorum queue on all three nodes (the broker sizes it to the cluster).
    const queues = JSON.parse(
      await clusterCtl(
        1,
        'list_queues',
        '-p',
        vhost.name,
        'name',
        'type',
        'members',
        '--formatter',
        'json',
      ),
    ) as { name: string; type: string; members: string[] }[];
    const queue = queues.find((entry) => entry.name === 'hub.step.test.race');
    expect(queue?.type).to.equal('quorum');
    expect([...(queue?.members ?? [])].sort()).to.deep.equal([...clusterNodes]);
    const outcomes = await a.store
      .knex('message_outcomes')
      .where({ step: 'test.race' })
      .select('outcome')
      .orderBy('outcome');
    expect(outcomes.map((row: { outcome: string }) => row.outcome)).to.deep.equal([
      'delivered',
      'duplicate',
    ]);
  });
});
