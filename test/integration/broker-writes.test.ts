/**
 * The corked socket writes (hub/broker/connection.ts `coalesceWrites`): amqplib's internals are still
 * where the hub expects them, and frames written in one batch arrive whole and in order.
 */
import amqp from 'amqplib';
import { expect } from 'chai';
import { coalesceWrites } from '../../hub/broker/connection.js';
import { createVhost, eventually, type TestVhost } from '../support/broker.js';

describe('broker: one system call per batch of frames', function () {
  this.timeout(60_000);
  let vhost: TestVhost;

  before(async () => {
    vhost = await createVhost('hub-broker-writes');
  });
  after(async () => {
    await vhost.delete();
  });

  it('applies to this amqplib, and 2 000 confirmed publishes arrive intact and in order', async () => {
    const model = await amqp.connect(vhost.url);
    try {
      expect(
        coalesceWrites(model),
        'amqplib internals moved: coalesceWrites no longer applies',
      ).to.equal(true);
      const channel = await model.createConfirmChannel();
      await channel.assertQueue('writes', {
        durable: true,
        arguments: { 'x-queue-type': 'quorum' },
      });
      const sent: string[] = [];
      for (let index = 0; index < 2_000; index += 1) {
        // Sizes around the single-frame threshold and beyond one frame.
        const body = `${String(index)}:${'x'.repeat((index * 37) % 9_000)}`;
        sent.push(body);
        channel.sendToQueue('writes', Buffer.from(body), { persistent: true });
      }
      await channel.waitForConfirms();
      const received: string[] = [];
      await channel.consume('writes', (message) => {
        if (message === null) return;
        received.push(message.content.toString());
        channel.ack(message);
      });
      await eventually(() => received.length === sent.length, 30_000, 'every message back');
      expect(received).to.deep.equal(sent);
    } finally {
      await model.close();
    }
  });
});
