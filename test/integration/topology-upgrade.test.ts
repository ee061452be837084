/**
 * Upgrading a broker an earlier hub declared: the dead-letter queue's arguments changed (a delivery
 * limit and an overflow target), and RabbitMQ refuses to redeclare a queue with other arguments. An
 * idle old queue (no message, no consumer) is replaced at start; one still holding dead letters is
 * never touched and the start stops with what to do.
 */
import { expect } from 'chai';
import { createBroker, DEAD_LETTER_QUEUE, TopologyConflictError } from '../../hub/broker/index.js';
import { buildTopology } from '../../hub/broker/topology.js';
import { createVhost, rawConnection, type TestVhost } from '../support/broker.js';

/** The arguments the previous version declared the dead-letter queue with. */
const previousArguments = {
  'x-queue-type': 'quorum',
  'x-overflow': 'reject-publish',
  'x-max-length': 1_000_000,
};

describe('broker upgrade: the dead-letter queue an earlier version declared', function () {
  this.timeout(60_000);
  let vhost: TestVhost;

  beforeEach(async () => {
    vhost = await createVhost('hub-topology-upgrade');
    const connection = await rawConnection(vhost.url);
    const channel = await connection.createChannel();
    await channel.assertQueue(DEAD_LETTER_QUEUE, { durable: true, arguments: previousArguments });
    await connection.close();
  });

  afterEach(async () => {
    await vhost.delete();
  });

  const current = () =>
    buildTopology([], []).queues.find((queue) => queue.name === DEAD_LETTER_QUEUE);

  it('replaces an empty, unused one with the current arguments', async () => {
    const broker = createBroker({ url: vhost.url, name: 'hub-upgrade' });
    await broker.start();
    try {
      await broker.declare(buildTopology([], []));
    } finally {
      await broker.close();
    }
    // Declaring with the current arguments is accepted only if the queue has exactly them now.
    const connection = await rawConnection(vhost.url);
    try {
      const channel = await connection.createChannel();
      const declared = current();
      expect(declared).to.not.equal(undefined);
      await channel.assertQueue(DEAD_LETTER_QUEUE, {
        durable: true,
        arguments: { ...declared?.arguments },
      });
    } finally {
      await connection.close();
    }
  });

  it('never touches one that still holds dead letters: the start stops and says what to do', async () => {
    const connection = await rawConnection(vhost.url);
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(DEAD_LETTER_QUEUE, Buffer.from('{}'), { persistent: true });
    await channel.waitForConfirms();
    const broker = createBroker({ url: vhost.url, name: 'hub-upgrade' });
    await broker.start();
    let failure: unknown;
    try {
      await broker.declare(buildTopology([], []));
    } catch (error) {
      failure = error;
    } finally {
      await broker.close();
    }
    expect(failure).to.be.instanceOf(TopologyConflictError);
    expect((failure as Error).message).to.include('still holds 1 message(s)');
    const check = await connection.createChannel();
    expect((await check.checkQueue(DEAD_LETTER_QUEUE)).messageCount).to.equal(1);
    await connection.close();
  });
});
