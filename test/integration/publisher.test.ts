/**
 * The publisher matches confirms and returns per publish, not per message id: several steps
 * dead-lettering one input publish the same message id at once, and one unroutable copy among them
 * must fail (and only that one).
 */
import { expect } from 'chai';
import { createBroker, EVENTS_EXCHANGE, type Broker } from '../../hub/broker/index.js';
import { UnroutableError } from '../../hub/errors.js';
import { createVhost, type TestVhost } from '../support/broker.js';

describe('publisher: confirms and returns are tracked per publish', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  let broker: Broker;

  before(async () => {
    vhost = await createVhost('hub-publisher');
    broker = createBroker({ url: vhost.url, name: 'hub-test' });
    await broker.start();
    await broker.declare({
      exchanges: [{ name: EVENTS_EXCHANGE, type: 'topic' }],
      queues: [{ name: 'bound', arguments: { 'x-queue-type': 'quorum' } }],
      bindings: [{ exchange: EVENTS_EXCHANGE, queue: 'bound', routingKey: 'test.bound' }],
    });
  });
  after(async () => {
    await broker.close();
    await vhost.delete();
  });

  it('several publishes sharing one message id: exactly the unroutable one fails', async () => {
    for (let round = 0; round < 20; round += 1) {
      // The unroutable copy sits at a different place in each round (first, middle, last …).
      const unroutableAt = round % 5;
      const keys = [0, 1, 2, 3, 4].map((n) => (n === unroutableAt ? 'test.unbound' : 'test.bound'));
      const results = await Promise.allSettled(
        keys.map((key, n) =>
          broker.publisher.publish(EVENTS_EXCHANGE, key, Buffer.from(`{"n":${String(n)}}`), {
            messageId: 'one-input-many-steps',
            type: key,
            headers: { 'x-hub-step': `step-${String(n)}` },
          }),
        ),
      );
      const failed = results.flatMap((result, n) => (result.status === 'rejected' ? [n] : []));
      expect(failed, `round ${String(round)}`).to.deep.equal([unroutableAt]);
      const failure = results[unroutableAt] as PromiseRejectedResult;
      expect(failure.reason).to.be.instanceOf(UnroutableError);
    }
  });
});
