/**
 * The control exchange (`hub.control`, fanout): how one replica tells every other that something the
 * store holds has changed — today, that a new flows version was deployed (issue 22, item 1). Each
 * replica consumes through its own exclusive, auto-deleted queue, re-declared after every reconnect.
 * A control message is only a nudge: the receiver reads the truth from the store, so a lost message
 * costs nothing but time (the heartbeat's version check catches up), and a forged one can make a
 * replica re-read the store, never run anything it did not read there. No acks: the queue is
 * consumed with `noAck` (it lives and dies with the connection).
 */
import type { ChannelModel } from 'amqplib';
import { loggerFor } from '../logger.js';
import type { ManagedConnection } from './connection.js';

const log = loggerFor('broker');

/** Public contract: the fanout exchange replicas announce changes on. */
export const CONTROL_EXCHANGE = 'hub.control';

/** What replicas tell each other. */
export interface ControlMessage {
  readonly kind: 'flows.deployed';
  /** The flows version (deploy id) now at the head of the store. */
  readonly version: number;
  /** The replica that deployed it. */
  readonly replica: string;
}

/** Parses a control message; anything else is ignored (it can only nudge, never command). */
export function parseControl(content: Buffer): ControlMessage | undefined {
  try {
    const value = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    if (
      value['kind'] === 'flows.deployed' &&
      typeof value['version'] === 'number' &&
      Number.isSafeInteger(value['version']) &&
      typeof value['replica'] === 'string'
    ) {
      return { kind: 'flows.deployed', version: value['version'], replica: value['replica'] };
    }
  } catch {
    // not JSON: ignored
  }
  return undefined;
}

/**
 * Subscribes `listener` to the control exchange on `connection`, now and after every reconnect;
 * after a reconnect it is also called with `undefined` (messages may have been missed meanwhile).
 */
export async function subscribeControl(
  connection: ManagedConnection,
  listener: (message: ControlMessage | undefined) => void,
): Promise<() => void> {
  let first = true;
  const hook = async (model: ChannelModel) => {
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => {
      log.warn({ channel: 'control', err: error.message }, 'broker channel error');
    });
    await channel.assertExchange(CONTROL_EXCHANGE, 'fanout', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, CONTROL_EXCHANGE, '');
    await channel.consume(
      queue,
      (message) => {
        if (message === null) return;
        const parsed = parseControl(message.content);
        if (parsed !== undefined) listener(parsed);
      },
      { noAck: true },
    );
    if (!first) listener(undefined);
    first = false;
  };
  await connection.addSetup(hook);
  return () => {
    connection.removeSetup(hook);
  };
}

/** Declares the control exchange (publishers need it before anyone consumed). */
export async function declareControl(model: ChannelModel): Promise<void> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.assertExchange(CONTROL_EXCHANGE, 'fanout', { durable: true });
  } finally {
    await channel.close().catch(() => undefined);
  }
}
