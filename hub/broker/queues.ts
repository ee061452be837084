/**
 * Queue maintenance the routing needs besides declaring: removing bindings a deploy no longer wants,
 * reading a queue's depth, and moving the messages of a retired step queue elsewhere one at a time
 * (publish confirmed, then ack — never the other way round, so a crash repeats a message at worst
 * and never loses one).
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { PublishProperties, Publisher } from './publisher.js';
import type { BindingDeclaration } from './topology.js';

function isNotFound(error: unknown): boolean {
  return error instanceof Error && /NOT_FOUND|404/.test(error.message);
}

async function quietChannel(model: ChannelModel): Promise<Channel> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  return channel;
}

/**
 * Removes bindings. A binding that does not exist is no error; a queue that no longer exists closes
 * the channel (404), so each such failure opens a fresh channel and carries on.
 */
export async function unbindAll(
  model: ChannelModel,
  bindings: readonly BindingDeclaration[],
): Promise<void> {
  let channel: Channel | undefined;
  try {
    for (const binding of bindings) {
      channel ??= await quietChannel(model);
      try {
        await channel.unbindQueue(binding.queue, binding.exchange, binding.routingKey);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        channel = undefined;
      }
    }
  } finally {
    await channel?.close().catch(() => undefined);
  }
}

/** Messages ready in `queue`, or undefined when the queue does not exist. */
export async function queueDepth(model: ChannelModel, queue: string): Promise<number | undefined> {
  const channel = await quietChannel(model);
  try {
    const ok = await channel.checkQueue(queue);
    return ok.messageCount;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** Ready messages and consumers of each queue (absent: the queue does not exist), on one channel. */
export async function queueStats(
  model: ChannelModel,
  queues: readonly string[],
): Promise<Map<string, { messages: number; consumers: number }>> {
  const stats = new Map<string, { messages: number; consumers: number }>();
  let channel: Channel | undefined;
  try {
    for (const queue of queues) {
      channel ??= await quietChannel(model);
      try {
        const ok = await channel.checkQueue(queue);
        stats.set(queue, { messages: ok.messageCount, consumers: ok.consumerCount });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // A missing queue closes the channel (404): the next one opens a fresh channel.
        channel = undefined;
      }
    }
  } finally {
    await channel?.close().catch(() => undefined);
  }
  return stats;
}

/** Where one drained message goes. */
export interface DrainTarget {
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: PublishProperties;
}

/** The AMQP properties of a drained message that the hub sets (typed; absent when not a string). */
export interface DrainedProperties {
  readonly messageId?: string | undefined;
  readonly type?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly appId?: string | undefined;
  readonly timestamp?: number | undefined;
}

function propertiesOf(message: ConsumeMessage): DrainedProperties {
  const raw = message.properties as unknown as Record<string, unknown>;
  const text = (key: string) => (typeof raw[key] === 'string' ? raw[key] : undefined);
  return {
    messageId: text('messageId'),
    type: text('type'),
    correlationId: text('correlationId'),
    appId: text('appId'),
    timestamp: typeof raw['timestamp'] === 'number' ? raw['timestamp'] : undefined,
  };
}

/** One message of the drained queue, as the caller sees it to choose its target. */
export interface DrainedMessage {
  readonly content: Buffer;
  readonly routingKey: string;
  readonly properties: DrainedProperties;
  readonly headers: Readonly<Record<string, unknown>>;
}

/** How a drain ended. */
export interface DrainResult {
  /** Messages republished and removed from the queue. */
  readonly moved: number;
  /** Why it stopped before the queue was empty (the message it could not move is back in the queue). */
  readonly stoppedBy?: unknown;
}

/**
 * Empties `queue` of the messages it holds when the drain starts, one at a time: `target` says where
 * each goes, the publisher publishes it (confirmed, mandatory), and only then is it acked. A publish
 * that fails (no route, broker refusal) returns the message to the queue and ends the drain with the
 * reason; nothing is lost. A consumer with prefetch 1 rather than basic.get, which quorum queues
 * with a single active consumer (ordered steps) refuse. Stops at `limit` messages.
 */
export async function drainQueue(
  model: ChannelModel,
  publisher: Publisher,
  queue: string,
  target: (message: DrainedMessage) => DrainTarget,
  limit = Number.POSITIVE_INFINITY,
): Promise<DrainResult> {
  const channel = await quietChannel(model);
  let consumerTag: string | undefined;
  try {
    const { messageCount } = await channel.checkQueue(queue);
    const wanted = Math.min(messageCount, limit);
    if (wanted === 0) return { moved: 0 };
    await channel.prefetch(1);
    let moved = 0;
    return await new Promise<DrainResult>((resolve, reject) => {
      let done = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (result: DrainResult) => {
        if (done) return;
        done = true;
        clearTimeout(idle);
        resolve(result);
      };
      // Another consumer may take some of the counted messages: when none comes for a while and
      // none is ready, the drain is over.
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          channel.checkQueue(queue).then(
            (ok) => {
              if (ok.messageCount === 0) finish({ moved });
              else arm();
            },
            (error: unknown) => {
              finish({ moved, stoppedBy: error });
            },
          );
        }, 5_000);
      };
      channel.on('close', () => {
        if (!done) finish({ moved, stoppedBy: new Error('the channel closed during the drain') });
      });
      const handle = async (message: ConsumeMessage) => {
        const headers = ((message.properties as { headers?: unknown }).headers ?? {}) as Record<
          string,
          unknown
        >;
        try {
          const to = target({
            content: message.content,
            routingKey: message.fields.routingKey,
            properties: propertiesOf(message),
            headers,
          });
          await publisher.publish(to.exchange, to.routingKey, message.content, to.properties);
        } catch (error) {
          channel.nack(message, false, true);
          finish({ moved, stoppedBy: error });
          return;
        }
        channel.ack(message);
        moved += 1;
        if (moved >= wanted) finish({ moved });
        else arm();
      };
      channel
        .consume(
          queue,
          (message) => {
            if (message === null) {
              finish({ moved, stoppedBy: new Error('the broker cancelled the drain') });
            } else if (done) {
              // Delivered after the drain ended (prefetch): back to the queue, untouched.
              channel.nack(message, false, true);
            } else {
              void handle(message);
            }
          },
          { noAck: false },
        )
        .then((ok) => {
          consumerTag = ok.consumerTag;
        }, reject);
      arm();
    });
  } finally {
    if (consumerTag !== undefined) await channel.cancel(consumerTag).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }
}
