/**
 * The broker topology, declared in one place. Code refers to exchanges and queues only through the
 * names and builders here; `hub/broker/connection.ts` re-declares all of it on every (re)connect.
 */

/** Public contract: the topic exchange every message is published to (routing key = message type). */
export const EVENTS_EXCHANGE = 'hub.events';
/** Where failed messages go, with the hub's reason headers (topic; routing key = message type). */
export const DLX_EXCHANGE = 'hub.dlx';
/** The queue the dead-letter archiver reads. */
export const DEAD_LETTER_QUEUE = 'hub.dead-letters';
/**
 * Where the dead-letter queue sends a letter it has delivered `DEAD_LETTER_DELIVERY_LIMIT` times
 * without an ack (the archiver crashing on it, channels lost while holding it): fanout to the overflow
 * queue, which the archiver reads too.
 */
export const DEAD_LETTER_OVERFLOW_EXCHANGE = 'hub.dead-letters.overflow';
/** The dead-letter queue's own overflow: a classic queue, so no delivery limit of any broker applies. */
export const DEAD_LETTER_OVERFLOW_QUEUE = 'hub.dead-letters.overflow';
/**
 * Deliveries of one dead letter before it moves to the overflow queue. Explicit, so no broker default
 * applies (RabbitMQ ≥ 4.0 has 20 and drops past it when there is no dead-letter target; -1, its
 * "unlimited", means "drop at the first requeue" on 3.x). The archiver never requeues for a store
 * failure, so only crashes and lost channels count.
 */
export const DEAD_LETTER_DELIVERY_LIMIT = 20;
/** Delayed retries are published here with routing key `wait.<ms>` and CC = the step queue. */
export const WAIT_EXCHANGE = 'hub.wait';
/** Wait queues dead-letter expired messages here; each step queue is bound by its own name. */
export const RETRY_RETURN_EXCHANGE = 'hub.retry.return';

/** Header carrying the attempt number (1 = first delivery). Not `x-death`: that is 4.x-unsafe. */
export const ATTEMPT_HEADER = 'x-hub-attempt';

export type ExchangeType = 'topic' | 'direct' | 'fanout';

export interface ExchangeDeclaration {
  readonly name: string;
  readonly type: ExchangeType;
}

export interface QueueDeclaration {
  readonly name: string;
  readonly arguments: Readonly<Record<string, string | number | boolean>>;
  /**
   * When the queue exists with other arguments (an earlier version of the hub declared it), replace
   * it — but only while it is empty and has no consumer, checked by the broker itself. A queue that
   * still holds messages is never touched: the start stops with the steps to take.
   */
  readonly replaceWhenIdle?: boolean;
}

export interface BindingDeclaration {
  readonly exchange: string;
  readonly queue: string;
  readonly routingKey: string;
}

/** Everything the hub declares on the broker. */
export interface Topology {
  readonly exchanges: readonly ExchangeDeclaration[];
  readonly queues: readonly QueueDeclaration[];
  readonly bindings: readonly BindingDeclaration[];
}

/** What a route step needs from the broker. */
export interface StepQueueSpec {
  /** Queue name: `hub.step.<step>`. */
  readonly queue: string;
  /** Message types (routing keys on hub.events) the step takes. */
  readonly bindingKeys: readonly string[];
  /** One active consumer across all hub replicas, for per-subject order. */
  readonly singleActiveConsumer: boolean;
  /** Poison-message limit: redeliveries before the broker dead-letters (reason delivery_limit). */
  readonly deliveryLimit: number;
}

/** Limits that protect the broker; reject-publish turns a full queue into publisher back-pressure. */
export interface QueueLimits {
  readonly maxLength: number;
}

export const defaultQueueLimits: QueueLimits = { maxLength: 1_000_000 };

/** The queue name of a route step. */
export function stepQueueName(step: string): string {
  return `hub.step.${step}`;
}

/** The wait queue for one delay. */
export function waitQueueName(delayMs: number): string {
  return `hub.wait.${String(delayMs)}`;
}

/** The routing key that reaches the wait queue for one delay. */
export function waitRoutingKey(delayMs: number): string {
  return `wait.${String(delayMs)}`;
}

const quorumSafety = (limits: QueueLimits) => ({
  'x-queue-type': 'quorum',
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
  'x-max-length': limits.maxLength,
});

/** Builds the whole topology for a set of steps and retry delays. */
export function buildTopology(
  steps: readonly StepQueueSpec[],
  waitDelaysMs: readonly number[],
  limits: QueueLimits = defaultQueueLimits,
): Topology {
  const exchanges: ExchangeDeclaration[] = [
    { name: EVENTS_EXCHANGE, type: 'topic' },
    { name: DLX_EXCHANGE, type: 'topic' },
    { name: WAIT_EXCHANGE, type: 'direct' },
    { name: RETRY_RETURN_EXCHANGE, type: 'direct' },
    { name: DEAD_LETTER_OVERFLOW_EXCHANGE, type: 'fanout' },
  ];
  const queues: QueueDeclaration[] = [
    // Full means back-pressure on dead-lettering, never a silently dropped dead letter. An explicit
    // delivery limit with a target of its own (at-least-once): a letter past it moves, never drops.
    {
      name: DEAD_LETTER_QUEUE,
      // Its arguments changed (a delivery limit and an overflow target): an idle one is upgraded.
      replaceWhenIdle: true,
      arguments: {
        ...quorumSafety(limits),
        'x-delivery-limit': DEAD_LETTER_DELIVERY_LIMIT,
        'x-dead-letter-exchange': DEAD_LETTER_OVERFLOW_EXCHANGE,
      },
    },
    // The end of the line. Classic: classic queues have no delivery limit on any broker version, so
    // a letter the archiver keeps failing on stays here (visible, counted) until it is archived.
    {
      name: DEAD_LETTER_OVERFLOW_QUEUE,
      arguments: {
        'x-queue-type': 'classic',
        'x-overflow': 'reject-publish',
        'x-max-length': limits.maxLength,
      },
    },
  ];
  const bindings: BindingDeclaration[] = [
    { exchange: DLX_EXCHANGE, queue: DEAD_LETTER_QUEUE, routingKey: '#' },
    { exchange: DEAD_LETTER_OVERFLOW_EXCHANGE, queue: DEAD_LETTER_OVERFLOW_QUEUE, routingKey: '' },
  ];
  for (const delay of [...new Set(waitDelaysMs)].sort((a, b) => a - b)) {
    queues.push({
      name: waitQueueName(delay),
      arguments: {
        ...quorumSafety(limits),
        'x-message-ttl': delay,
        'x-dead-letter-exchange': RETRY_RETURN_EXCHANGE,
      },
    });
    bindings.push({
      exchange: WAIT_EXCHANGE,
      queue: waitQueueName(delay),
      routingKey: waitRoutingKey(delay),
    });
  }
  for (const step of steps) {
    queues.push({
      name: step.queue,
      arguments: {
        ...quorumSafety(limits),
        'x-dead-letter-exchange': DLX_EXCHANGE,
        'x-delivery-limit': step.deliveryLimit,
        ...(step.singleActiveConsumer ? { 'x-single-active-consumer': true } : {}),
      },
    });
    for (const key of step.bindingKeys) {
      bindings.push({ exchange: EVENTS_EXCHANGE, queue: step.queue, routingKey: key });
    }
    bindings.push({ exchange: RETRY_RETURN_EXCHANGE, queue: step.queue, routingKey: step.queue });
  }
  return { exchanges, queues, bindings };
}
