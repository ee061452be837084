import { expect } from 'chai';
import type { Delivery } from '../../hub/broker/consumer.js';
import { createBroker, type Broker } from '../../hub/broker/index.js';
import { settle } from '../../hub/broker/settle.js';
import { createMetrics } from '../../hub/metrics.js';
import { createVhost, eventually, rawConnection, type TestVhost } from '../support/broker.js';

const queue = 'settle.batch';

describe('acks in batches (settle): one multiple ack only over settled deliveries', function () {
  this.timeout(30_000);
  let vhost: TestVhost;
  let broker: Broker;

  beforeEach(async () => {
    vhost = await createVhost('hub-test-settle');
    broker = createBroker({
      url: vhost.url,
      name: 'settle-batch-test',
      metrics: createMetrics({ defaultMetrics: false }),
    });
    await broker.start();
  });

  afterEach(async () => {
    await broker.close();
    await vhost.delete();
  });

  /** Puts `count` messages on the queue and consumes them until all are held, unsettled. */
  async function deliveriesOf(count: number) {
    const connection = await rawConnection(vhost.url);
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    for (let index = 0; index < count; index += 1) {
      channel.sendToQueue(queue, Buffer.from(String(index)), { persistent: true });
    }
    await channel.waitForConfirms();
    const held: Delivery[] = [];
    const consumer = await broker.consume({
      queue,
      prefetch: count,
      handler: (delivery) =>
        new Promise<void>(() => {
          held.push(delivery);
        }),
    });
    await eventually(() => held.length === count, 10_000, 'every delivery');
    /**
     * Messages in the queue once the consumer's channel is gone: unacked ones come back (the
     * broker takes a moment to return them, so the count is awaited; a wrong one times out).
     */
    const leftAfterClose = async (expected: number) => {
      await consumer.close();
      let left = -1;
      await eventually(
        async () => {
          left = (await channel.checkQueue(queue)).messageCount;
          return left === expected;
        },
        5_000,
        `${String(expected)} message(s) back in the queue`,
      ).catch(() => undefined);
      return left;
    };
    return { held, leftAfterClose, close: () => connection.close() };
  }

  it('acks every delivery settled in one turn, and nothing is left', async () => {
    const { held, leftAfterClose, close } = await deliveriesOf(6);
    const results = await Promise.all(held.map((delivery) => settle(delivery, { kind: 'ack' })));
    expect(results.map((result) => result.result)).to.deep.equal(Array(6).fill('acked'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await leftAfterClose(0)).to.equal(0);
    await close();
  });

  it('never covers an earlier delivery that nobody settled', async () => {
    const { held, leftAfterClose, close } = await deliveriesOf(6);
    // The first stays in processing; the later five are acked in the same turn.
    await Promise.all(held.slice(1).map((delivery) => settle(delivery, { kind: 'ack' })));
    await new Promise((resolve) => setImmediate(resolve));
    // Only the unsettled first delivery returns to the queue.
    expect(await leftAfterClose(1)).to.equal(1);
    await close();
  });

  it('covers the earlier ones with one ack once the first is settled later', async () => {
    const { held, leftAfterClose, close } = await deliveriesOf(6);
    await Promise.all(held.slice(1, 4).map((delivery) => settle(delivery, { kind: 'ack' })));
    await new Promise((resolve) => setImmediate(resolve));
    const first = held[0];
    if (first === undefined) throw new Error('no first delivery');
    await settle(first, { kind: 'ack' });
    await new Promise((resolve) => setImmediate(resolve));
    // 5 and 6 were never settled.
    expect(await leftAfterClose(2)).to.equal(2);
    await close();
  });
});
