/**
 * The archiver: takes every dead letter from `hub.dead-letters` (fed by `hub.dlx`) and stores it in
 * `dead_letters` with its reason, its headers and its original bytes sealed. It acks only after the
 * row is committed, so a crash in between means a redelivery, which the dedupe key absorbs.
 */
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  ATTEMPT_HEADER,
  DEAD_LETTER_DELIVERY_LIMIT,
  DEAD_LETTER_OVERFLOW_EXCHANGE,
  DEAD_LETTER_OVERFLOW_QUEUE,
  DEAD_LETTER_QUEUE,
  DLX_EXCHANGE,
  EVENTS_EXCHANGE,
  settle,
  type Broker,
  type Consumer,
  type Delivery,
  type Settlement,
} from '../broker/index.js';
import type { ReasonClass } from '../errors.js';
import { loggerFor } from '../logger.js';
import { canonicalJson } from '../audit/operator-log.js';
import {
  reasonClasses,
  type DeadLetterRepository,
  type NewDeadLetter,
} from '../store/dead-letters.js';

const log = loggerFor('dead-letters');

/** Namespace for ids of dead letters whose publisher set no message id (same bytes, same id). */
const MISSING_ID_NAMESPACE = '3a0e5c2f-8d61-4b7e-9f4a-6c1d2e3b4a59';

/** What the archiver needs. */
export interface ArchiverOptions {
  readonly broker: Broker;
  readonly repository: DeadLetterRepository;
  readonly prefetch?: number;
  /** Pause before the first retry of a row that could not be written (doubling from there). */
  readonly retryDelayMs?: number;
  /** Longest pause between retries of one row (default 30 s). */
  readonly maxRetryDelayMs?: number;
}

/** A running archiver. */
export interface Archiver {
  /** Stops taking dead letters; the ones in flight finish (or return to the queue). */
  stop(timeoutMs?: number): Promise<void>;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function integer(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** An AMQP timestamp (seconds) as amqplib decodes it: a number, or `{ value }` in some tables. */
function timestamp(value: unknown): Date | undefined {
  const seconds =
    typeof value === 'object' && value !== null && 'value' in value
      ? integer(value.value)
      : integer(value);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}

function isoDate(value: unknown): Date | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Headers as plain JSON: buffers become text, AMQP typed values their value. */
export function jsonSafe(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[...]';
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => jsonSafe(item, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = jsonSafe(item, depth + 1);
    return out;
  }
  return value;
}

interface DeathEntry {
  readonly reason: string | undefined;
  readonly queue: string | undefined;
  readonly exchange: string | undefined;
  readonly routingKey: string | undefined;
  readonly count: number | undefined;
  readonly time: Date | undefined;
}

/** The archive's own queues: a death there (moved to the overflow queue) says nothing of the failure. */
const archiveQueues: readonly string[] = [DEAD_LETTER_QUEUE, DEAD_LETTER_OVERFLOW_QUEUE];

function isArchiveDeath(entry: unknown): boolean {
  if (typeof entry !== 'object' || entry === null) return false;
  const queue = text((entry as Record<string, unknown>)['queue']);
  return queue !== undefined && archiveQueues.includes(queue);
}

/**
 * The headers as they were when the message was dead-lettered: without the broker's bookkeeping of
 * its stay in the archive queues (a move to the overflow queue, redelivery counts), so the reason,
 * the attempts and the dedupe key of a letter are the same whichever archive queue it comes from.
 */
function failureHeaders(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const archived = (edge: 'first' | 'last') => {
    const queue = text(headers[`x-${edge}-death-queue`]);
    return queue !== undefined && archiveQueues.includes(queue);
  };
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'x-delivery-count') continue;
    if (name.startsWith('x-first-death-') && archived('first')) continue;
    if (name.startsWith('x-last-death-') && archived('last')) continue;
    if (name === 'x-death') {
      const kept = Array.isArray(value) ? value.filter((entry) => !isArchiveDeath(entry)) : [];
      if (kept.length > 0) out[name] = kept;
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** The most recent `x-death` entry (RabbitMQ puts it first). */
function lastDeath(headers: Readonly<Record<string, unknown>>): DeathEntry | undefined {
  const deaths = headers['x-death'];
  if (!Array.isArray(deaths) || deaths.length === 0) return undefined;
  const first: unknown = deaths[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const entry = first as Record<string, unknown>;
  const keys = entry['routing-keys'];
  return {
    reason: text(entry['reason']),
    queue: text(entry['queue']),
    exchange: typeof entry['exchange'] === 'string' ? entry['exchange'] : text(entry['exchange']),
    routingKey: Array.isArray(keys) ? text(keys[0]) : undefined,
    count: integer(entry['count']),
    time: timestamp(entry['time']),
  };
}

/** Standard bilingual reasons for what the broker dead-letters by itself. */
function brokerReason(
  reason: string | undefined,
  queue: string,
): { reasonClass: ReasonClass; ja: string; en: string } {
  switch (reason ?? 'unknown') {
    case 'delivery_limit':
      return {
        reasonClass: 'delivery_limit',
        ja: `キュー ${queue} で配送回数の上限に達しました（処理中の異常終了や一時障害が続いた可能性があります）`,
        en: `Delivery limit reached on queue ${queue} (the step kept failing or crashing on this message)`,
      };
    case 'expired':
      return {
        reasonClass: 'timeout',
        ja: `キュー ${queue} で有効期限内に処理されませんでした（期限切れ）`,
        en: `Expired on queue ${queue} before it was processed`,
      };
    case 'maxlen':
      return {
        reasonClass: 'internal',
        ja: `キュー ${queue} が上限件数に達したため退避されました`,
        en: `Queue ${queue} was full; the message was moved out`,
      };
    default:
      return {
        reasonClass: 'internal',
        ja: `ブローカーが差し戻しました（理由 ${reason ?? '不明'}、キュー ${queue}）`,
        en: `Rejected by the broker (reason ${reason ?? 'unknown'}, queue ${queue})`,
      };
  }
}

function stepOfQueue(queue: string | undefined): string | null {
  return queue?.startsWith('hub.step.') === true ? queue.slice('hub.step.'.length) : null;
}

/** Turns one delivery from the dead-letter queue into the row to store. Pure (for tests). */
export function letterFromDelivery(delivery: Delivery, now: Date = new Date()): NewDeadLetter {
  const headers = failureHeaders(delivery.headers);
  const props = delivery.properties;
  const messageId =
    text(props.messageId) ??
    uuidv5(createHash('sha256').update(delivery.content).digest('hex'), MISSING_ID_NAMESPACE);
  const messageType = text(props.type) ?? delivery.routingKey;
  const death = lastDeath(headers);
  const hubClass = text(headers['x-hub-reason-class']);
  const originalQueue = text(headers['x-hub-original-queue']) ?? death?.queue ?? null;
  const step = text(headers['x-hub-step']) ?? stepOfQueue(originalQueue ?? undefined);
  let reasonClass: ReasonClass;
  let reasonJa: string;
  let reasonEn: string;
  let deadLetteredAt: Date | undefined;
  let firstFailedAt: Date | undefined;
  if (hubClass !== undefined && death === undefined) {
    reasonClass = (reasonClasses as readonly string[]).includes(hubClass)
      ? (hubClass as ReasonClass)
      : 'internal';
    reasonJa = text(headers['x-hub-reason-ja']) ?? reasonClass;
    reasonEn = text(headers['x-hub-reason-en']) ?? reasonClass;
    deadLetteredAt = isoDate(headers['x-hub-failed-at']);
    firstFailedAt = isoDate(headers['x-hub-first-failed-at']) ?? deadLetteredAt;
  } else {
    const queue = death?.queue ?? text(headers['x-first-death-queue']) ?? 'unknown';
    const reason = death?.reason ?? text(headers['x-first-death-reason']);
    ({ reasonClass, ja: reasonJa, en: reasonEn } = brokerReason(reason, queue));
    deadLetteredAt = death?.time;
    firstFailedAt = timestamp(headers['x-first-death-time']) ?? deadLetteredAt;
  }
  const code = text(headers['x-hub-error-code']);
  const paths = text(headers['x-hub-schema-paths']);
  const detail = [code, paths].filter((part) => part !== undefined).join(' ') || null;
  const attempts =
    integer(headers[ATTEMPT_HEADER]) ?? death?.count ?? integer(headers['x-delivery-count']) ?? 1;
  // The dead-letter time identifies this death of this message at this step across redeliveries;
  // without one (a foreign publisher), the bytes and headers do.
  // x-death times have one-second resolution: its count tells two deaths in one second apart.
  const timeKey =
    (deadLetteredAt === undefined
      ? undefined
      : `${deadLetteredAt.toISOString()}#${String(death?.count ?? 0)}`) ??
    createHash('sha256')
      .update(delivery.content)
      .update(canonicalJson(jsonSafe(headers)))
      .digest('hex');
  const dedupeKey = createHash('sha256')
    .update(`${messageId}\u0000${step ?? originalQueue ?? ''}\u0000${timeKey}`)
    .digest('hex');
  // Published to hub.dlx (or moved on from there to the overflow queue).
  const viaDlx =
    delivery.exchange === DLX_EXCHANGE || delivery.exchange === DEAD_LETTER_OVERFLOW_EXCHANGE;
  const properties: Record<string, unknown> = {};
  const keep = [
    'contentType',
    'contentEncoding',
    'type',
    'appId',
    'correlationId',
    'messageId',
    'timestamp',
    'replyTo',
    'expiration',
    'priority',
    'deliveryMode',
  ] as const;
  for (const key of keep) {
    const value: unknown = props[key];
    if (value !== undefined && value !== null) properties[key] = jsonSafe(value);
  }
  return {
    dedupeKey,
    messageId,
    messageType,
    route: text(headers['x-hub-route']) ?? null,
    step,
    // A foreign publisher that wrote straight to hub.dlx without saying where the message was going:
    // its destination is hub.events by type (a replay to hub.dlx would only archive it again).
    originalExchange:
      text(headers['x-hub-original-exchange']) ??
      death?.exchange ??
      (viaDlx ? EVENTS_EXCHANGE : delivery.exchange),
    originalRoutingKey:
      text(headers['x-hub-original-routing-key']) ??
      death?.routingKey ??
      (viaDlx ? messageType : delivery.routingKey),
    originalQueue,
    reasonClass,
    reasonJa,
    reasonEn,
    detail,
    attempts,
    headers: jsonSafe(delivery.headers) as Record<string, unknown>,
    properties,
    payload: delivery.content,
    correlationId: text(props.correlationId) ?? null,
    sourceSystem: text(props.appId) ?? text(headers['x-hub-source']) ?? null,
    subjectHash: text(headers['x-hub-subject']) ?? null,
    firstFailedAt: firstFailedAt ?? null,
    deadLetteredAt: deadLetteredAt ?? now,
  };
}

/** Starts consuming the dead-letter queues through the broker layer. */
export async function startArchiver(options: ArchiverOptions): Promise<Archiver> {
  const firstDelayMs = options.retryDelayMs ?? 1000;
  const maxDelayMs = Math.max(firstDelayMs, options.maxRetryDelayMs ?? 30_000);
  let stopping = false;
  const wake = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake.add(done);
    });

  /** This archiver is stopping, or the delivery's channel is gone: stop holding it. */
  const givenUp = (delivery: Delivery) => stopping || !delivery.live();

  /**
   * Stores the letter, retrying in place while the store refuses: the delivery stays unacked and is
   * never requeued for a store failure, so an outage of any length costs no delivery count (a
   * quorum queue's delivery limit would otherwise drop it, RabbitMQ ≥ 4.0 after 20). Gives it back
   * only when this archiver stops or its channel is gone (the broker redelivers it then anyway).
   */
  async function archive(delivery: Delivery, letter: NewDeadLetter): Promise<Settlement> {
    let delayMs = firstDelayMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { id, inserted } = await options.repository.insert(letter);
        log.info(
          {
            deadLetterId: id,
            messageId: letter.messageId,
            step: letter.step,
            reasonClass: letter.reasonClass,
            duplicate: !inserted,
            attempts: attempt,
          },
          inserted ? 'dead letter archived' : 'dead letter already archived',
        );
        if (delivery.queue === DEAD_LETTER_OVERFLOW_QUEUE) {
          // Not lost, but something kept failing on it: archivers crashing or losing connections.
          log.warn(
            { deadLetterId: id, messageId: letter.messageId, queue: delivery.queue },
            `dead letter reached the archive through the overflow queue (more than ${String(DEAD_LETTER_DELIVERY_LIMIT)} deliveries without an ack)`,
          );
        }
        return { kind: 'ack' };
      } catch (error) {
        // The first failure and then every tenth: an outage must not flood the log.
        if (attempt === 1 || attempt % 10 === 0) {
          log.warn(
            {
              messageId: letter.messageId,
              err: error instanceof Error ? error.name : 'unknown',
              code: (error as { code?: unknown } | null)?.code,
              attempt,
              nextInMs: delayMs,
            },
            'could not archive dead letter; holding it and trying again',
          );
        }
      }
      if (givenUp(delivery)) return { kind: 'requeue', pauseMs: 0 };
      await pause(delayMs);
      if (givenUp(delivery)) return { kind: 'requeue', pauseMs: 0 };
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    }
  }

  const handler = async (delivery: Delivery): Promise<void> => {
    let letter: NewDeadLetter;
    try {
      letter = letterFromDelivery(delivery);
    } catch (error) {
      // Cannot happen with well-formed AMQP; keep the message rather than lose it.
      log.error(
        { err: error instanceof Error ? error.name : 'unknown' },
        'cannot read dead letter',
      );
      await settle(delivery, { kind: 'requeue', pauseMs: firstDelayMs });
      return;
    }
    await settle(delivery, await archive(delivery, letter));
  };
  const prefetch = options.prefetch ?? 16;
  const consumers: Consumer[] = [];
  for (const queue of [DEAD_LETTER_QUEUE, DEAD_LETTER_OVERFLOW_QUEUE]) {
    consumers.push(await options.broker.consume({ queue, prefetch, handler }));
  }
  return {
    async stop(timeoutMs = 5000) {
      stopping = true;
      for (const consumer of consumers) consumer.pause();
      for (const done of [...wake]) done();
      await Promise.all(consumers.map((consumer) => consumer.drain(timeoutMs)));
      await Promise.all(consumers.map((consumer) => consumer.close()));
    },
  };
}
