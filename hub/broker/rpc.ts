import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { DeadlineError, TransientError, UnroutableError } from '../errors.js';
import { openChannel, type ManagedConnection } from './connection.js';
import { EVENTS_EXCHANGE } from './topology.js';

const REPLY_TO = 'amq.rabbitmq.reply-to';

/** Header carrying the absolute deadline (epoch milliseconds) of a request a person waits for. */
export const DEADLINE_HEADER = 'x-hub-deadline';

/** A reply to a request. */
export interface Reply {
  readonly content: Buffer;
  readonly type: string | undefined;
  readonly headers: Readonly<Record<string, unknown>>;
}

export interface RequestOptions {
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly appId?: string;
  /** Milliseconds until the requester gives up; the request expires on the broker at the same time. */
  readonly deadlineMs: number;
  readonly headers?: Readonly<Record<string, unknown>>;
}

/** Request/reply over RabbitMQ direct reply-to, for the affairs where a person waits. */
export interface RpcClient {
  /** Publishes `content` as `messageType` and resolves with the reply, or rejects with DeadlineError. */
  request(messageType: string, content: Buffer, options: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

interface Waiting {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Creates an RPC client. Direct reply-to needs the request published on the channel that consumes
 * the pseudo-queue, so the client owns one channel; replies are matched by correlation id only,
 * never by arrival order (a reply for another request must never be taken as ours).
 */
export async function createRpcClient(connection: ManagedConnection): Promise<RpcClient> {
  const waiting = new Map<string, Waiting>();
  let channel: Channel | undefined;
  let closed = false;

  const setup = async (model: ChannelModel) => {
    const next = await openChannel(model, 'rpc');
    next.on('close', () => {
      if (channel !== next) return;
      channel = undefined;
      // Replies for requests in flight on this channel can no longer arrive.
      for (const [id, entry] of waiting) {
        clearTimeout(entry.timer);
        entry.reject(new TransientError('broker connection lost while waiting for a reply'));
        waiting.delete(id);
      }
    });
    next.on('return', (message: ConsumeMessage) => {
      const id = message.properties.correlationId as string | undefined;
      const entry = id === undefined ? undefined : waiting.get(id);
      if (!entry || id === undefined) return;
      clearTimeout(entry.timer);
      waiting.delete(id);
      entry.reject(new UnroutableError(EVENTS_EXCHANGE, message.fields.routingKey));
    });
    await next.consume(
      REPLY_TO,
      (message) => {
        if (message === null) return;
        const id = message.properties.correlationId as string | undefined;
        const entry = id === undefined ? undefined : waiting.get(id);
        if (!entry || id === undefined) return; // late reply for a request that already timed out
        clearTimeout(entry.timer);
        waiting.delete(id);
        entry.resolve({
          content: message.content,
          type: message.properties.type as string | undefined,
          headers: message.properties.headers ?? {},
        });
      },
      { noAck: true },
    );
    channel = next;
  };
  await connection.addSetup(setup);

  return {
    async request(messageType, content, options) {
      if (closed) throw new TransientError('rpc client is closed');
      const target = channel ?? (await connection.model(options.deadlineMs).then(() => channel));
      if (!target) throw new TransientError('no broker channel for the request');
      const correlationId = options.correlationId ?? randomUUID();
      const deadline = Date.now() + options.deadlineMs;
      return new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(correlationId);
          reject(
            new DeadlineError(
              `${messageType} got no reply within ${String(options.deadlineMs)} ms`,
            ),
          );
        }, options.deadlineMs);
        waiting.set(correlationId, { resolve, reject, timer });
        target.publish(EVENTS_EXCHANGE, messageType, content, {
          mandatory: true,
          persistent: false,
          contentType: 'application/json',
          messageId: options.messageId ?? randomUUID(),
          correlationId,
          type: messageType,
          replyTo: REPLY_TO,
          expiration: String(options.deadlineMs),
          timestamp: Math.floor(Date.now() / 1000),
          ...(options.appId === undefined ? {} : { appId: options.appId }),
          headers: { ...options.headers, [DEADLINE_HEADER]: deadline },
        });
      });
    },
    async close() {
      closed = true;
      connection.removeSetup(setup);
      for (const entry of waiting.values()) {
        clearTimeout(entry.timer);
        entry.reject(new TransientError('rpc client closed'));
      }
      waiting.clear();
      const open = channel;
      channel = undefined;
      if (open) await open.close().catch(() => undefined);
    },
  };
}
