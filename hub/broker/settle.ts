/**
 * Settlement: the one place where what processing decided about a delivery becomes an ack, a delayed
 * retry, a dead letter or a requeue. Whoever consumes (the engine's runner, the dead-letter archiver,
 * the editor's debug tap) returns a `Settlement` and hands it here; nothing else acks or nacks.
 */
import { controlsOf, type Delivery } from './consumer.js';
import type { Publisher, PublishProperties } from './publisher.js';
import { DLX_EXCHANGE, WAIT_EXCHANGE, waitRoutingKey } from './topology.js';

/** A copy of the delivered message, republished for a retry or as a dead letter. */
export interface Republish {
  /** The original bytes. */
  readonly content: Buffer;
  /** Properties and headers of the copy (the dead letter's reason headers, the next attempt …). */
  readonly properties: Omit<PublishProperties, 'cc'>;
}

/** What should happen to a delivery, decided once by whoever processed it. */
export type Settlement =
  /** Done: the effect and its record are durable. */
  | { readonly kind: 'ack' }
  /**
   * Back to its queue after a pause (the broker counts it toward the queue's delivery limit): the
   * outcome could not be made durable and a later try may succeed.
   */
  | { readonly kind: 'requeue'; readonly pauseMs: number }
  /** Again after `delayMs`, through the wait queue of that delay, back to `queue` only. */
  | {
      readonly kind: 'retry';
      readonly delayMs: number;
      readonly queue: string;
      readonly message: Republish;
    }
  /** To `hub.dlx` (routing key = the message type) with its reason, for the archive. */
  | { readonly kind: 'dead-letter'; readonly message: Republish };

/** How a settlement ended. */
export type Settled =
  { readonly result: 'acked' } | { readonly result: 'requeued'; readonly cause?: unknown };

export interface SettleOptions {
  /** Publishes retries and dead letters (confirmed, mandatory). Needed for those two kinds. */
  readonly publisher?: Publisher | undefined;
  /**
   * Makes the outcome durable (an outcome row, a processed key): runs after a retry or dead letter
   * is confirmed and before the ack. When it fails, the delivery is requeued instead.
   */
  readonly commit?: (() => Promise<unknown>) | undefined;
  /** Pause before a delivery whose settlement failed goes back to its queue (default 250 ms). */
  readonly requeuePauseMs?: number | undefined;
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Carries out `settlement` for `delivery`, exactly once: the retry or dead letter is confirmed by the
 * broker, then `commit` runs, then the delivery is acked; if any of that fails, the delivery goes back
 * to its queue (the next delivery decides again). Never throws.
 */
export async function settle(
  delivery: Delivery,
  settlement: Settlement,
  options: SettleOptions = {},
): Promise<Settled> {
  const controls = controlsOf(delivery);
  const requeue = async (pauseMs: number, cause?: unknown): Promise<Settled> => {
    await sleep(pauseMs);
    controls.nack(true);
    return cause === undefined ? { result: 'requeued' } : { result: 'requeued', cause };
  };
  if (settlement.kind === 'requeue') return requeue(settlement.pauseMs);
  try {
    if (settlement.kind === 'retry' || settlement.kind === 'dead-letter') {
      if (options.publisher === undefined) throw new Error(`no publisher to ${settlement.kind}`);
      const { content, properties } = settlement.message;
      if (settlement.kind === 'retry') {
        await options.publisher.publish(
          WAIT_EXCHANGE,
          waitRoutingKey(settlement.delayMs),
          content,
          {
            ...properties,
            cc: [settlement.queue],
          },
        );
      } else {
        await options.publisher.publish(DLX_EXCHANGE, properties.type, content, properties);
      }
    }
    await options.commit?.();
  } catch (error) {
    return requeue(options.requeuePauseMs ?? 250, error);
  }
  controls.ack();
  return { result: 'acked' };
}
