import type { Channel, ChannelModel, ConsumeMessage, MessageProperties } from 'amqplib';
import { loggerFor } from '../logger.js';
import { openChannel, type ManagedConnection } from './connection.js';

const log = loggerFor('broker');

/**
 * One message taken from a queue. It offers no ack or nack: what happens to it is a `Settlement`
 * carried out by `settle` (hub/broker/settle.ts), the only place that acks or nacks.
 */
export interface Delivery {
  readonly content: Buffer;
  readonly properties: MessageProperties;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly routingKey: string;
  readonly exchange: string;
  readonly redelivered: boolean;
  readonly queue: string;
  /** True while the delivering channel is open (an ack is meaningful). */
  live(): boolean;
}

/** The broker layer's own hold on a delivery; settling is tied to the channel that delivered it. */
interface DeliveryControls {
  /** Acknowledges; a no-op when the channel is gone (the broker will redeliver). */
  ack(): void;
  /** Returns the message to the queue (counts toward the delivery limit) or dead-letters it. */
  nack(requeue: boolean): void;
}

const controls = new WeakMap<Delivery, DeliveryControls>();

/** The ack/nack of a delivery this layer handed out (for `settle` only). */
export function controlsOf(delivery: Delivery): DeliveryControls {
  const found = controls.get(delivery);
  if (found === undefined) throw new Error('not a delivery from the broker layer');
  return found;
}

export interface ConsumerSpec {
  readonly queue: string;
  readonly prefetch: number;
  /** Processes the delivery and settles it through `settle` once the outcome is durable; should not throw. */
  readonly handler: (delivery: Delivery) => Promise<void>;
}

/** A running consumer; re-subscribes after every reconnect until cancelled. */
export interface Consumer {
  readonly queue: string;
  /** Stops taking new messages (basic.cancel); in-flight ones can still be settled. */
  cancel(): Promise<void>;
  /**
   * Stops handing deliveries to the handler without cancelling: with a single active consumer the
   * broker must not activate the next consumer before this one has finished what it holds, or the
   * next could overtake it. Deliveries held back return to the queue on `close()`.
   */
  pause(): void;
  /** Closes the channel: anything not yet settled goes back to the queue. */
  close(): Promise<void>;
  /** Messages handed to the handler and not yet settled. */
  inFlight(): number;
  /** Resolves when nothing is in flight, or after `timeoutMs`; returns the number left. */
  drain(timeoutMs: number): Promise<number>;
}

/** Starts consuming `spec.queue` on the connection; survives reconnects. */
export async function createConsumer(
  connection: ManagedConnection,
  spec: ConsumerSpec,
): Promise<Consumer> {
  let channel: Channel | undefined;
  let consumerTag: string | undefined;
  let cancelled = false;
  let paused = false;
  let inFlight = 0;
  const idle: (() => void)[] = [];

  const settled = () => {
    inFlight -= 1;
    if (inFlight === 0) for (const wake of idle.splice(0)) wake();
  };

  const setup = async (model: ChannelModel) => {
    if (cancelled) return;
    const next = await openChannel(model, `consumer:${spec.queue}`);
    await next.prefetch(spec.prefetch);
    let open = true;
    next.on('close', () => {
      open = false;
      if (channel === next) channel = undefined;
    });
    channel = next;
    const reply = await next.consume(spec.queue, (message: ConsumeMessage | null) => {
      if (message === null) {
        // The broker cancelled us (queue deleted). Log; a reconnect re-subscribes.
        log.warn({ queue: spec.queue }, 'consumer cancelled by the broker');
        return;
      }
      // Held back, unsettled: the broker gets it back when the channel closes.
      if (paused) return;
      let done = false;
      inFlight += 1;
      const delivery: Delivery = {
        content: message.content,
        properties: message.properties,
        headers: message.properties.headers ?? {},
        routingKey: message.fields.routingKey,
        exchange: message.fields.exchange,
        redelivered: message.fields.redelivered,
        queue: spec.queue,
        live: () => open,
      };
      const hold: DeliveryControls = {
        ack() {
          if (done) return;
          done = true;
          settled();
          if (open) next.ack(message);
        },
        nack(requeue) {
          if (done) return;
          done = true;
          settled();
          if (open) next.nack(message, false, requeue);
        },
      };
      controls.set(delivery, hold);
      spec.handler(delivery).then(
        () => {
          // A handler that returned without settling would hold the message until the channel
          // closes; the broker layer returns it instead.
          if (!done) {
            log.error(
              { queue: spec.queue },
              'handler did not settle; message returned to the queue',
            );
            hold.nack(true);
          }
        },
        (error: unknown) => {
          log.error(
            { queue: spec.queue, err: error instanceof Error ? error.name : 'unknown' },
            'handler failed unexpectedly; message returned to the queue',
          );
          hold.nack(true);
        },
      );
    });
    consumerTag = reply.consumerTag;
  };

  await connection.addSetup(setup);

  return {
    queue: spec.queue,
    async cancel() {
      cancelled = true;
      connection.removeSetup(setup);
      const open = channel;
      if (open && consumerTag !== undefined) await open.cancel(consumerTag).catch(() => undefined);
    },
    async close() {
      cancelled = true;
      connection.removeSetup(setup);
      const open = channel;
      channel = undefined;
      if (open) await open.close().catch(() => undefined);
    },
    pause() {
      paused = true;
    },
    inFlight: () => inFlight,
    async drain(timeoutMs) {
      if (inFlight === 0) return 0;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return inFlight;
    },
  };
}
