import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { TransientError, UnroutableError } from '../errors.js';
import type { HubMetrics } from '../metrics.js';
import { openConfirmChannel, type ManagedConnection } from './connection.js';

/** AMQP properties the hub sets on every message it publishes. */
export interface PublishProperties {
  readonly messageId: string;
  readonly type: string;
  readonly correlationId?: string | undefined;
  readonly appId?: string | undefined;
  readonly replyTo?: string | undefined;
  /** Milliseconds the broker may keep the message before it expires. */
  readonly expirationMs?: number | undefined;
  readonly timestamp?: number | undefined;
  readonly headers?: Readonly<Record<string, unknown>> | undefined;
  /** Extra routing keys (RabbitMQ CC), used to return delayed retries to their step queue. */
  readonly cc?: readonly string[] | undefined;
  /**
   * Default true. False only for direct reply-to addresses: RabbitMQ 3.10 answers a mandatory
   * publish to one with basic.return although it delivered the reply (the reply would be recorded
   * as expired). A reply to a requester that has gone is dropped by the broker either way.
   */
  readonly mandatory?: boolean | undefined;
}

/** Publishes with confirms and `mandatory`: resolves only when the broker has taken the message. */
export interface Publisher {
  /**
   * Resolves after the broker confirmed the message. Rejects with UnroutableError when no queue was
   * bound for it (never dropped silently) and with TransientError when the broker nacked it, the
   * channel closed before the confirm, or no connection came back within the publish timeout.
   */
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: PublishProperties,
  ): Promise<void>;
  close(): Promise<void>;
}

export interface PublisherOptions {
  readonly connection: ManagedConnection;
  /** How long a publish waits for a (re)connection and its confirm. */
  readonly timeoutMs?: number;
  readonly metrics?: HubMetrics | undefined;
}

interface Pending {
  returned: boolean;
}

/**
 * The header naming one publish on this publisher (`<publisher>:<sequence>`). A basic.return carries
 * the message back but no delivery tag, and several publishes may share a message id (steps
 * dead-lettering one input at once), so a return is matched to its publish by this header.
 */
export const PUBLISH_TAG_HEADER = 'x-hub-publish-tag';

/** Creates a publisher on the given connection; its confirm channel is reopened after reconnects. */
export async function createPublisher(options: PublisherOptions): Promise<Publisher> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let channel: ConfirmChannel | undefined;
  let opening: Promise<ConfirmChannel> | undefined;
  // Returned messages arrive (basic.return) before the confirm of the same message: each publish
  // has its own entry, keyed by its tag (never by message id, which several publishes may share);
  // its confirm is its own callback (amqplib matches confirms by delivery tag).
  const pending = new Map<string, Pending>();
  const publisherId = randomUUID();
  let sequence = 0;
  let closed = false;

  const attach = (next: ConfirmChannel) => {
    next.on('return', (message: Message) => {
      const headers = message.properties.headers as Record<string, unknown> | undefined;
      const raw = headers?.[PUBLISH_TAG_HEADER];
      const tag = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
      const entry = typeof tag === 'string' ? pending.get(tag) : undefined;
      if (entry) entry.returned = true;
    });
    next.on('close', () => {
      if (channel === next) channel = undefined;
    });
    channel = next;
  };

  const setup = async (model: Parameters<Parameters<ManagedConnection['addSetup']>[0]>[0]) => {
    attach(await openConfirmChannel(model, 'publisher'));
  };
  await options.connection.addSetup(setup);

  async function liveChannel(): Promise<ConfirmChannel> {
    if (channel) return channel;
    opening ??= (async () => {
      try {
        const model = await options.connection.model(timeoutMs);
        const existing = channel as ConfirmChannel | undefined;
        if (existing) return existing;
        const next = await openConfirmChannel(model, 'publisher');
        attach(next);
        return next;
      } finally {
        opening = undefined;
      }
    })();
    return opening;
  }

  return {
    async publish(exchange, routingKey, content, properties) {
      if (closed) throw new TransientError('publisher is closed');
      let target: ConfirmChannel;
      try {
        target = await liveChannel();
      } catch (error) {
        throw new TransientError(`broker unavailable for publishing to ${exchange}`, {
          cause: error,
        });
      }
      const entry: Pending = { returned: false };
      sequence += 1;
      const tag = `${publisherId}:${String(sequence)}`;
      pending.set(tag, entry);
      const started = process.hrtime.bigint();
      const publishOptions: Options.Publish = {
        mandatory: properties.mandatory ?? true,
        persistent: true,
        contentType: 'application/json',
        messageId: properties.messageId,
        type: properties.type,
        timestamp: properties.timestamp ?? Math.floor(Date.now() / 1000),
        headers: { ...properties.headers, [PUBLISH_TAG_HEADER]: tag },
      };
      if (properties.correlationId !== undefined)
        publishOptions.correlationId = properties.correlationId;
      if (properties.appId !== undefined) publishOptions.appId = properties.appId;
      if (properties.replyTo !== undefined) publishOptions.replyTo = properties.replyTo;
      if (properties.expirationMs !== undefined)
        publishOptions.expiration = String(properties.expirationMs);
      if (properties.cc !== undefined) publishOptions.CC = [...properties.cc];
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(new TransientError(`no confirm from the broker within ${String(timeoutMs)} ms`));
          }, timeoutMs);
          try {
            target.publish(exchange, routingKey, content, publishOptions, (error: unknown) => {
              clearTimeout(timer);
              if (error === null || error === undefined) resolve();
              else reject(new TransientError(`broker refused the message on ${exchange} (nack)`));
            });
          } catch (error) {
            clearTimeout(timer);
            reject(new TransientError(`publish to ${exchange} failed`, { cause: error }));
          }
        });
      } finally {
        pending.delete(tag);
      }
      options.metrics?.publishConfirmSeconds.observe(
        { exchange },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      if (entry.returned) throw new UnroutableError(exchange, routingKey);
    },
    async close() {
      closed = true;
      options.connection.removeSetup(setup);
      const open = channel;
      channel = undefined;
      if (open) {
        await open.waitForConfirms().catch(() => undefined);
        await open.close().catch(() => undefined);
      }
    },
  };
}
