/**
 * The saga runner (issue 20): every hub replica runs one. It opens a case when a saga's trigger
 * arrives, stores replies once per case and step (duplicates and early replies change nothing), and
 * every `pollMs` claims runnable cases from the store with a lease, runs their next steps and records
 * each one with its time. A step that talks to a system sends one request whose idempotency key is
 * derived from the case and the step: a replica killed between the request and its record leaves the
 * lease to expire, another replica sends the same request again, and the system takes it once. A step
 * that waits for a reply parks the case with a due day counted in business days; the scan flags it
 * overdue after that, and the late reply resumes it. A step that keeps failing leaves the case FAILED:
 * an operator's task (`hub sagas retry` or `close`). Nothing is kept in memory between polls.
 */
import { serialPoll } from '../timers/serial-poll.js';
import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  EVENTS_EXCHANGE,
  DLX_EXCHANGE,
  settle,
  type Broker,
  type Consumer,
  type Delivery,
  type Topology,
} from '../broker/index.js';
import { japanDayOf, type BusinessCalendar } from '../calendar/business-calendar.js';
import { deadLetterHeaders } from '../dead-letters/headers.js';
import { HubError } from '../errors.js';
import { loggerFor } from '../logger.js';
import type { KeyRing } from '../security/keys.js';
import {
  sagas as sagaRepository,
  type SagaAdvance,
  type SagaRow,
  type Sagas,
} from '../store/sagas.js';
import type { Store } from '../store/types.js';
import type { SagaDefinition } from './definition.js';

const log = loggerFor('saga');

/** The runner's queue (triggers and replies of every declared saga). */
export const SAGA_QUEUE = 'hub.saga';

/** Namespace of the idempotency keys of saga steps (one key per case and step). */
const STEP_ID_NAMESPACE = '0d7f5e4c-6a1b-4c7e-9a55-5a9a20c0a7e1';

/** The idempotency key (message id) of a step of a case: the same on every attempt and replica. */
export function stepMessageId(correlationId: string, stepId: string): string {
  return uuidv5(`${correlationId}:${stepId}`, STEP_ID_NAMESPACE);
}

/** What a step's code gets. */
export interface StepContext {
  readonly correlationId: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The step's idempotency key (send it as the request's message id). */
  readonly messageId: string;
  /** A stored reply of an earlier step. */
  reply(stepId: string): Promise<unknown>;
}

/** A step's code; throws a HubError (retryable or not) when the system did not take it. */
export type StepAction = (context: StepContext) => Promise<void>;

/** A saga's code: what admits a trigger, the subject of a case, and each non-waiting step. */
export interface SagaCode {
  /** The case's subject (a 住民票コード, hashed before it is stored); undefined refuses the trigger. */
  subjectOf(input: Readonly<Record<string, unknown>>): string | undefined;
  /** False: the trigger is not this saga's (e.g. a request for another city); acked, nothing opened. */
  admits?(input: Readonly<Record<string, unknown>>): boolean;
  readonly steps: Readonly<Record<string, StepAction>>;
}

/** What the runner needs. */
export interface SagaRunnerOptions {
  readonly broker: Broker;
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly calendar: BusinessCalendar;
  readonly definitions: readonly SagaDefinition[];
  readonly code: Readonly<Record<string, SagaCode>>;
  /** Milliseconds between polls (0: none; tests call `poll()`). */
  readonly pollMs: number;
  /** How long a claim holds before another replica may take the case. */
  readonly leaseMs?: number;
  /** Attempts of a step before the case is FAILED (an operator's task). */
  readonly maxAttempts?: number;
  readonly now?: () => Date;
}

/** A running saga runner. */
export interface SagaRunner {
  /** One poll now: flags overdue cases and runs what can run; resolves with the steps recorded. */
  poll(): Promise<number>;
  stop(timeoutMs?: number): Promise<void>;
}

/** The runner's queue and bindings: every trigger and reply type the flows declare. */
export function sagaTopology(definitions: readonly SagaDefinition[]): Topology {
  const types = new Set<string>();
  for (const definition of definitions) {
    types.add(definition.trigger);
    for (const step of definition.steps) if (step.awaits !== undefined) types.add(step.awaits);
  }
  return {
    exchanges: [],
    queues: [
      {
        name: SAGA_QUEUE,
        arguments: {
          'x-queue-type': 'quorum',
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
          'x-max-length': 1_000_000,
          'x-delivery-limit': 20,
          'x-dead-letter-exchange': DLX_EXCHANGE,
        },
      },
    ],
    bindings: [...types].map((routingKey) => ({
      exchange: EVENTS_EXCHANGE,
      queue: SAGA_QUEUE,
      routingKey,
    })),
  };
}

class SagaInputError extends HubError {
  constructor(en: string, ja: string) {
    super('HUB_SAGA_INPUT', en, 'dead-letter', { reasonClass: 'validation', reason: { en, ja } });
  }
}

const SUBJECT_PURPOSE = 'saga-subject';

/** Starts the runner: declares its queue, consumes it, and polls every `pollMs`. */
export async function startSagaRunner(options: SagaRunnerOptions): Promise<SagaRunner> {
  const repo: Sagas = sagaRepository(options.store);
  const now = options.now ?? (() => new Date());
  const owner = `${process.pid.toString(36)}-${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const byName = new Map(options.definitions.map((definition) => [definition.name, definition]));
  for (const definition of options.definitions) {
    const code = options.code[definition.name];
    if (code === undefined) throw new Error(`saga ${definition.name}: the hub has no code for it`);
    for (const step of definition.steps)
      if (step.awaits === undefined && code.steps[step.id] === undefined)
        throw new Error(`saga ${definition.name}: the hub has no code for step ${step.id}`);
  }

  async function take(delivery: Delivery): Promise<void> {
    const type =
      typeof delivery.properties.type === 'string' ? delivery.properties.type : delivery.routingKey;
    let body: Record<string, unknown>;
    try {
      const parsed = JSON.parse(delivery.content.toString('utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      throw new SagaInputError(
        'the message is not a JSON object',
        'メッセージが JSON オブジェクトではありません',
      );
    }
    const declared: unknown = body['correlationId'];
    const fromProperties: unknown = delivery.properties.correlationId;
    const correlation = typeof declared === 'string' ? declared : fromProperties;
    if (typeof correlation !== 'string' || !/^[0-9A-Za-z-]{8,64}$/.test(correlation)) {
      throw new SagaInputError(
        '/correlationId: a saga message needs a correlation id (8–64 letters, digits, hyphens)',
        '/correlationId: サガのメッセージには相関ID（英数字とハイフン8〜64文字）が必要です',
      );
    }
    for (const definition of options.definitions) {
      const code = options.code[definition.name];
      if (code === undefined) continue;
      if (definition.trigger === type && (code.admits?.(body) ?? true)) {
        const subject = code.subjectOf(body);
        if (subject === undefined) {
          throw new SagaInputError(
            `${definition.name}: the trigger names no resident (/cardHolderJuminhyoCode)`,
            `${definition.name}: 起動メッセージに対象の住民がありません（/cardHolderJuminhyoCode）`,
          );
        }
        const subjectKey = options.keyRing.hasher().hash(SUBJECT_PURPOSE, subject);
        const opened = await repo.open(
          { correlationId: correlation, kind: definition.name, subjectKey, input: body },
          now(),
        );
        log.info(
          { saga: definition.name, correlationId: correlation, opened },
          opened ? 'saga opened' : 'saga trigger again: nothing new',
        );
      }
      for (const step of definition.steps) {
        if (step.awaits !== type) continue;
        const stored = await repo.storeReply(correlation, step.id, body, now());
        log.info(
          { saga: definition.name, correlationId: correlation, step: step.id, stored },
          stored ? 'saga reply stored' : 'duplicate saga reply: nothing new',
        );
      }
    }
  }

  await options.broker.declareService(sagaTopology(options.definitions));
  const consumer: Consumer = await options.broker.consume({
    queue: SAGA_QUEUE,
    prefetch: 16,
    handler: async (delivery) => {
      try {
        await take(delivery);
      } catch (error) {
        if (error instanceof SagaInputError) {
          await settle(
            delivery,
            {
              kind: 'dead-letter',
              message: {
                content: delivery.content,
                properties: {
                  messageId:
                    typeof delivery.properties.messageId === 'string'
                      ? delivery.properties.messageId
                      : randomUUID(),
                  type:
                    typeof delivery.properties.type === 'string'
                      ? delivery.properties.type
                      : delivery.routingKey,
                  headers: deadLetterHeaders({
                    error,
                    originalExchange: delivery.exchange,
                    originalRoutingKey: delivery.routingKey,
                    failedAt: now(),
                  }),
                },
              },
            },
            { publisher: options.broker.publisher },
          );
          return;
        }
        log.warn(
          {
            messageId: delivery.properties.messageId,
            error: error instanceof Error ? error.name : 'error',
          },
          'saga message not recorded; back to the queue',
        );
        await settle(delivery, { kind: 'requeue', pauseMs: 1000 });
        return;
      }
      await settle(delivery, { kind: 'ack' });
    },
  });

  /** Runs a claimed case as far as it goes; returns the steps recorded. */
  async function advance(saga: SagaRow): Promise<number> {
    const definition = byName.get(saga.kind);
    const code = options.code[saga.kind];
    if (definition === undefined || code === undefined) {
      await repo.release(saga.id, owner);
      return 0;
    }
    let recorded = 0;
    let index = saga.stepIndex;
    let attempts = saga.attempts;
    while (index < definition.steps.length) {
      const step = definition.steps[index];
      if (step === undefined) break;
      const nextOf = (): SagaAdvance =>
        index + 1 >= definition.steps.length
          ? { state: 'DONE', stepIndex: index + 1 }
          : { state: 'RUNNING', stepIndex: index + 1 };
      if (step.awaits !== undefined) {
        const reply = await repo.reply(saga.correlationId, step.id);
        if (reply === undefined) {
          const today = japanDayOf(now());
          const dueOn = options.calendar.addBusinessDays(today, step.limitBusinessDays ?? 3650);
          await repo.wait(saga.id, owner, index, step.id, dueOn, now());
          // A reply stored between the look and the wait wakes the case now.
          if ((await repo.reply(saga.correlationId, step.id)) !== undefined)
            await repo.storeReply(saga.correlationId, step.id, null, now());
          log.info(
            { saga: saga.kind, correlationId: saga.correlationId, step: step.id, dueOn },
            'saga waits for a reply',
          );
          return recorded;
        }
      } else {
        const action = code.steps[step.id];
        if (action === undefined) break;
        try {
          await action({
            correlationId: saga.correlationId,
            input: saga.input,
            messageId: stepMessageId(saga.correlationId, step.id),
            reply: (stepId) => repo.reply(saga.correlationId, stepId),
          });
        } catch (error) {
          attempts += 1;
          const retryable = error instanceof HubError ? error.disposition === 'retry' : false;
          const final = !retryable || attempts >= maxAttempts;
          const reason =
            error instanceof HubError
              ? error.reason
              : { en: 'the step failed', ja: '手順が失敗しました' };
          const delayMs = Math.min(60_000, 500 * 2 ** Math.min(attempts, 7));
          await repo.recordFailure(
            saga.id,
            owner,
            { en: reason.en, ja: reason.ja, final, retryAt: new Date(now().getTime() + delayMs) },
            now(),
          );
          log.warn(
            { saga: saga.kind, correlationId: saga.correlationId, step: step.id, attempts, final },
            final ? 'saga step failed: an operator task' : 'saga step failed; retried later',
          );
          return recorded;
        }
      }
      if (!(await repo.recordStep(saga.id, owner, index, step.id, nextOf(), now()))) {
        log.warn(
          { saga: saga.kind, correlationId: saga.correlationId, step: step.id },
          'saga lease lost; another replica carries on',
        );
        return recorded;
      }
      log.info(
        { saga: saga.kind, correlationId: saga.correlationId, step: step.id },
        'saga step done',
      );
      recorded += 1;
      attempts = 0;
      index += 1;
    }
    return recorded;
  }

  async function poll(): Promise<number> {
    const at = now();
    const today = japanDayOf(at);
    const lastBusinessDay = options.calendar.isBusinessDay(today)
      ? today
      : options.calendar.addBusinessDays(today, -1);
    await repo.markOverdue(lastBusinessDay, at);
    let recorded = 0;
    for (const saga of await repo.claimRunnable(owner, leaseMs, 32, at))
      recorded += await advance(saga);
    return recorded;
  }

  const poller = serialPoll(poll, options.pollMs, (error: unknown) => {
    log.warn(
      { error: error instanceof Error ? error.name : 'error' },
      'saga poll failed; the next poll retries',
    );
  });
  return {
    poll: () => poller.run(),
    async stop(timeoutMs = 5000) {
      const settled = poller.stop();
      consumer.pause();
      await consumer.drain(timeoutMs);
      await settled;
      await consumer.close();
    },
  };
}
