import { traceSubjectsOf, type TraceHasher } from './trace-subjects.js';
import { createHash } from 'node:crypto';
import type { Delivery, Publisher, Settlement } from '../broker/index.js';
import { ATTEMPT_HEADER, EVENTS_EXCHANGE, settle } from '../broker/index.js';
import {
  HubError,
  UnroutableError,
  ValidationError,
  dispositionOf,
  reasonClassOf,
  reasonOf,
  schemaPathsHeader,
} from '../errors.js';
import type { Logger } from 'pino';
import { deadLetterHeaders } from '../dead-letters/headers.js';
import type { HubMetrics } from '../metrics.js';
import { enforceMetadataPolicy } from '../security/message-policy.js';
import { containsMyNumber } from '../security/my-number.js';
import type { Outcome, Store } from '../store/types.js';
import {
  asNumber,
  asString,
  incomingOf,
  planStep,
  type Incoming,
  type PlanDeps,
  type PlannedOutput,
} from './plan.js';
import {
  readPointer,
  retryDelayMs,
  retryPolicyOf,
  type RetryPolicy,
  type Sink,
  type StepSpec,
} from './step.js';
import { traceIdOf } from './trace.js';

export { outputIdOf, SAGA_SUBJECT_HEADER } from './plan.js';

/** Everything a step runner needs; injected by the engine. */
export interface RunnerDeps extends PlanDeps {
  readonly sinks: ReadonlyMap<string, Sink>;
  readonly publisher: Publisher;
  readonly store: Store;
  readonly metrics: HubMetrics;
  readonly log: Logger;
  /** Keyed hash of a subject identifier (never the identifier itself in the store or logs). */
  readonly hashSubject: (value: string) => string;
  /** This replica's claim owner (`<replica>/<boot id>`) and lease (hub/store/claims.ts). */
  readonly claimOwner?: string | undefined;
  readonly claimLeaseMs?: number | undefined;
  /** Keyed hashes of the 住民票コード / 個人番号 a message names, stored for `hub trace` (issue 24). */
  readonly hashTrace?: TraceHasher | undefined;
}

interface Result {
  readonly outcome: Outcome;
  readonly outputMessageId?: string | undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Schema paths of a validation error, for headers and the outcome row (no values). */
function pathsOf(error: unknown): string | undefined {
  if (!(error instanceof ValidationError)) return undefined;
  return schemaPathsHeader(error.issues);
}

/** Pause before a delivery whose outcome could not be made durable goes back to its queue. */
const REQUEUE_PAUSE_MS = 250;
/** How often a copy whose key another replica holds looks again (processed yet? lease over?). */
const CLAIM_POLL_MS = 100;

/**
 * Runs one route step: consume → plan (validate input → transform → validate output → My Number
 * policy; `plan.ts`) → publish (confirmed), deliver or reply → settle: record the outcome (group
 * commit) and ack, or retry later, or dead-letter, all through `settle` (hub/broker/settle.ts). The
 * ack is the last thing that happens, so a crash anywhere before it means a redelivery, and the
 * idempotency key plus deterministic output ids make that redelivery harmless.
 */
export class StepRunner {
  readonly step: StepSpec;
  readonly queue: string;
  private readonly deps: RunnerDeps;
  private readonly policy: RetryPolicy;
  private readonly subjects = new Map<string, Promise<void>>();
  private readonly keys = new Map<string, Promise<void>>();

  constructor(step: StepSpec, queue: string, deps: RunnerDeps) {
    this.step = step;
    this.queue = queue;
    this.deps = deps;
    this.policy = retryPolicyOf(step);
  }

  /** Handles one delivery end to end; settles it exactly once. */
  async handle(delivery: Delivery): Promise<void> {
    const { metrics } = this.deps;
    metrics.consumed.inc({ step: this.step.name });
    const stopTimer = metrics.processingSeconds.startTimer({ step: this.step.name });
    const incoming = incomingOf(delivery, this.now());
    const subject = this.subjectOf(incoming.body);
    try {
      if (this.step.orderBy !== undefined && subject !== undefined) {
        await this.inOrder(subject, () => this.process(delivery, incoming, subject));
      } else {
        await this.process(delivery, incoming, subject);
      }
    } finally {
      stopTimer();
    }
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  private subjectOf(body: unknown): string | undefined {
    const pointer = this.step.subject ?? this.step.orderBy;
    if (pointer === undefined || body === undefined) return undefined;
    const value = readPointer(body, pointer);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }

  /** Serialises work per subject; different subjects run concurrently. */
  private inOrder(subject: string, work: () => Promise<void>): Promise<void> {
    return serialise(this.subjects, subject, work);
  }

  private idempotencyKey(incoming: Incoming): string {
    const body = incoming.body;
    const value =
      this.step.idempotencyKey === undefined || body === undefined
        ? undefined
        : readPointer(body, this.step.idempotencyKey);
    const key =
      typeof value === 'string' || typeof value === 'number' ? String(value) : incoming.messageId;
    // A key holding a My Number — an idempotency pointer at a number field, or a publisher's message
    // id that is one — is stored (claims, processed keys) as a keyed hash, never in the clear (issue
    // 13): the claim is written before the policy quarantines such a message, and a deleted row's
    // bytes stay in the database file. Other keys keep their form across key rotations.
    if (containsMyNumber(key)) return `mn:${this.deps.hashSubject(key)}`;
    return key.length <= 200 ? key : createHash('sha256').update(key).digest('hex');
  }

  private async process(
    delivery: Delivery,
    incoming: Incoming,
    subject: string | undefined,
  ): Promise<void> {
    const subjectHash = subject === undefined ? null : this.deps.hashSubject(subject);
    const key = this.idempotencyKey(incoming);
    // Two copies of one message (a republish after a crash) may be in flight at once: the second
    // waits for the first, then finds its key processed instead of repeating the effect.
    await serialise(this.keys, key, async () => {
      const settlement = await this.decide(delivery, incoming, subject, subjectHash, key);
      const settled = await settle(delivery, settlement.settlement, {
        publisher: this.deps.publisher,
        commit: settlement.commit,
        requeuePauseMs: REQUEUE_PAUSE_MS,
      });
      if (settled.result === 'acked') {
        settlement.after?.();
        if (settlement.outcome !== undefined)
          this.deps.metrics.outcomes.inc({ step: this.step.name, outcome: settlement.outcome });
      } else if (settled.cause !== undefined) this.logRequeue(incoming, settled.cause);
      // Not applied here after all (retry, dead letter, back to the queue): let another replica
      // take the key at once instead of waiting for the lease.
      if (settlement.settlement.kind !== 'ack' || settled.result !== 'acked') this.release(key);
    });
  }

  /**
   * Processes the message and decides what becomes of the delivery: the settlement, what makes the
   * outcome durable before the ack (`commit`), and what to count once it is settled (`after`).
   */
  private async decide(
    delivery: Delivery,
    incoming: Incoming,
    subject: string | undefined,
    subjectHash: string | null,
    key: string,
  ): Promise<Decision> {
    const { store, log, metrics } = this.deps;
    let attempt = incoming.attempt;
    for (;;) {
      // Processed already (its outcome is committed)? Then a duplicate. Another replica may hold a
      // copy of this message right now (a republish, a redelivery after a lost channel): only the one
      // whose claim wins applies it (issue 22). The other waits in place — holding its subject, so a
      // later message of the subject cannot overtake — until the key is processed (then it is a
      // duplicate) or the holder's lease runs out (it died). With claims, one call answers both
      // (issue 23: one round trip fewer per window).
      let state: 'processed' | 'mine' | 'held';
      try {
        state =
          store.claims !== undefined && this.deps.claimOwner !== undefined
            ? await store.claims.claim(
                this.step.name,
                key,
                this.deps.claimOwner,
                this.deps.claimLeaseMs ?? 15_000,
              )
            : (await store.processed.has(this.step.name, key))
              ? 'processed'
              : 'mine';
      } catch (error) {
        // An ordered step asks again in place, holding its subject: a requeued message goes back to
        // the broker while the later ones of its subject, already delivered here, go on — it would
        // be overtaken (seen with affair 4's 法務省通知 while the sequencing held the SQLite lock).
        if (this.step.orderBy !== undefined && subject !== undefined && delivery.live()) {
          log.warn(
            { messageId: incoming.messageId, step: this.step.name, code: codeOf(error) },
            'store unavailable for the claim; asking again in place (ordered step)',
          );
          await sleep(REQUEUE_PAUSE_MS);
          continue;
        }
        this.logRequeue(incoming, error);
        return { settlement: { kind: 'requeue', pauseMs: REQUEUE_PAUSE_MS } };
      }
      if (state === 'processed') {
        return {
          settlement: { kind: 'ack' },
          outcome: 'duplicate',
          commit: () =>
            store.outcomes.record(this.row(incoming, 'duplicate', attempt, subjectHash)),
          after: () => {
            metrics.duplicates.inc({ step: this.step.name });
            log.debug(
              { messageId: incoming.messageId, step: this.step.name },
              'duplicate acknowledged',
            );
          },
        };
      }
      if (state === 'held') {
        metrics.claimWaits?.inc({ step: this.step.name });
        // A delivery whose channel is gone is the broker's again: stop waiting for it.
        if (!delivery.live()) return { settlement: { kind: 'requeue', pauseMs: 0 } };
        await sleep(CLAIM_POLL_MS);
        continue;
      }
      // The channel went away while this delivery waited: the broker has given it to another
      // consumer (with a single active consumer, the next one in order). Applying it now could
      // overtake what that consumer applies; leave it.
      if (!delivery.live()) return { settlement: { kind: 'requeue', pauseMs: 0 } };
      let result: Result;
      try {
        // The My Number policy covers metadata too (security issue): checked before anything else.
        enforceMetadataPolicy(delivery);
        result = await this.execute(incoming, subjectHash);
      } catch (error) {
        const retry = dispositionOf(error) === 'retry' && attempt < this.policy.maxAttempts;
        // Ordered steps retry in place: the subject stays blocked, so later messages cannot overtake.
        if (retry && this.step.orderBy !== undefined && subject !== undefined) {
          this.countFailure(error);
          await store.outcomes
            .record(this.row(incoming, 'retried', attempt, subjectHash, { error }))
            .catch(() => undefined);
          await sleep(retryDelayMs(this.policy, attempt));
          attempt += 1;
          continue;
        }
        return this.failure(delivery, { ...incoming, attempt }, error, retry, subjectHash);
      }
      // The effect happened; the ack waits for its record. If that fails the message is redelivered:
      // the output id is deterministic, so the next hop recognises the second copy.
      return {
        settlement: { kind: 'ack' },
        outcome: result.outcome,
        commit: () =>
          store.outcomes.record(
            this.row(incoming, result.outcome, attempt, subjectHash, {
              outputMessageId: result.outputMessageId,
            }),
            { step: this.step.name, key, messageId: incoming.messageId },
          ),
      };
    }
  }

  private row(
    incoming: Incoming,
    outcome: Outcome,
    attempt: number,
    subjectHash: string | null,
    extra: { outputMessageId?: string | undefined; error?: unknown } = {},
  ) {
    return {
      messageId: incoming.messageId,
      messageType: incoming.messageType,
      route: this.step.route,
      step: this.step.name,
      outcome,
      attempt,
      receivedAt: incoming.receivedAt,
      finishedAt: this.now(),
      subjectHash,
      ...traceSubjectsOf(incoming.body, this.deps.hashTrace),
      correlationId: incoming.correlationId,
      outputMessageId: extra.outputMessageId ?? null,
      reasonClass: extra.error === undefined ? null : reasonClassOf(extra.error),
      detail:
        extra.error === undefined
          ? null
          : [
              extra.error instanceof HubError ? extra.error.code : 'UNEXPECTED',
              pathsOf(extra.error),
            ]
              .filter(Boolean)
              .join(' '),
    };
  }

  /** Plans the step (pure, `plan.ts`) and carries the plan out: publish, deliver or reply. */
  private async execute(incoming: Incoming, subjectHash: string | null): Promise<Result> {
    const plan = planStep(this.step, incoming, subjectHash, this.deps, this.now());
    switch (plan.kind) {
      case 'reject':
        throw plan.error;
      case 'skip':
        // A message this step's route does not take: a visible, counted outcome (the editor shows
        // it on the step's nodes), never a silent drop.
        if (plan.outcome === 'skipped') this.deps.metrics.skipped.inc({ step: this.step.name });
        return { outcome: plan.outcome };
      case 'emit':
        return this.emit(plan.output);
    }
  }

  private async emit(output: PlannedOutput): Promise<Result> {
    const { step } = this;
    const { publisher, metrics } = this.deps;
    const properties = {
      messageId: output.messageId,
      type: output.messageType,
      correlationId: output.correlationId,
      appId: 'hub',
      headers: output.headers,
    };
    const outputMessageId = output.messageId;
    switch (output.kind) {
      case 'publish':
        await publisher.publish(EVENTS_EXCHANGE, output.messageType, output.content, properties);
        metrics.published.inc({ step: step.name, message_type: output.messageType });
        return { outcome: 'published', outputMessageId };
      case 'deliver': {
        const sink = this.deps.sinks.get(output.destination);
        if (!sink) throw new Error(`no connector for system ${output.destination}`);
        try {
          await sink.deliver({
            route: step.route,
            messageId: output.messageId,
            messageType: output.messageType,
            correlationId: output.correlationId,
            body: output.body,
            content: output.content,
            headers: output.headers,
          });
        } catch (error) {
          metrics.deliveryAttempts.inc({ system: sink.system, result: 'error' });
          throw error;
        }
        metrics.deliveryAttempts.inc({ system: sink.system, result: 'ok' });
        metrics.delivered.inc({ step: step.name, system: sink.system });
        return { outcome: 'delivered', outputMessageId };
      }
      case 'reply':
        try {
          // Direct reply-to: RabbitMQ 3.10 returns a mandatory publish to it although it was delivered.
          await publisher.publish('', output.destination, output.content, {
            ...properties,
            mandatory: false,
          });
        } catch (error) {
          // The requester is gone (it gave up at its deadline): nobody can take this reply.
          if (error instanceof UnroutableError) return { outcome: 'expired' };
          throw error;
        }
        return { outcome: 'replied', outputMessageId };
    }
  }

  private countFailure(error: unknown): void {
    this.deps.metrics.failed.inc({ step: this.step.name, reason: reasonClassOf(error) });
  }

  /** The settlement of a failed message: a retry through a wait queue, or a dead letter. */
  private failure(
    delivery: Delivery,
    incoming: Incoming,
    error: unknown,
    retry: boolean,
    subjectHash: string | null,
  ): Decision {
    const { store, metrics, log } = this.deps;
    this.countFailure(error);
    const reason = reasonOf(error);
    const baseHeaders: Record<string, unknown> = {
      ...carriedHeaders(delivery.headers),
      'x-hub-original-exchange': incoming.originalExchange,
      'x-hub-original-routing-key': incoming.originalRoutingKey,
    };
    const props = {
      messageId: incoming.messageId,
      type: incoming.messageType,
      correlationId: incoming.correlationId,
      appId: asString(delivery.properties.appId),
      replyTo: incoming.replyTo,
      timestamp: asNumber(delivery.properties.timestamp),
    };
    if (retry) {
      const delay = retryDelayMs(this.policy, incoming.attempt);
      return {
        settlement: {
          kind: 'retry',
          delayMs: delay,
          queue: this.queue,
          message: {
            content: delivery.content,
            properties: {
              ...props,
              headers: {
                ...baseHeaders,
                [ATTEMPT_HEADER]: incoming.attempt + 1,
                'x-hub-last-error': reason.en,
              },
            },
          },
        },
        outcome: 'retried',
        commit: () =>
          store.outcomes.record(
            this.row(incoming, 'retried', incoming.attempt, subjectHash, { error }),
          ),
        after: () => {
          metrics.retried.inc({ step: this.step.name });
          log.warn(
            {
              messageId: incoming.messageId,
              step: this.step.name,
              attempt: incoming.attempt,
              delayMs: delay,
              code: codeOf(error),
            },
            'step failed; retry scheduled',
          );
        },
      };
    }
    return {
      settlement: {
        kind: 'dead-letter',
        message: {
          content: delivery.content,
          properties: {
            ...props,
            headers: deadLetterHeaders(
              {
                error,
                originalExchange: incoming.originalExchange,
                originalRoutingKey: incoming.originalRoutingKey,
                failedAt: this.now(),
              },
              {
                ...carriedHeaders(delivery.headers),
                [ATTEMPT_HEADER]: incoming.attempt,
                'x-hub-route': this.step.route,
                'x-hub-step': this.step.name,
                'x-hub-original-queue': this.queue,
              },
            ),
          },
        },
      },
      outcome: 'dead-lettered',
      commit: () =>
        store.outcomes.record(
          this.row(incoming, 'dead-lettered', incoming.attempt, subjectHash, { error }),
        ),
      after: () => {
        metrics.deadLettered.inc({ step: this.step.name, reason: reasonClassOf(error) });
        log.warn(
          {
            messageId: incoming.messageId,
            step: this.step.name,
            attempt: incoming.attempt,
            code: codeOf(error),
            reasonClass: reasonClassOf(error),
            paths: pathsOf(error),
            traceId: traceIdOf(incoming.traceparent),
          },
          'message dead-lettered',
        );
      },
    };
  }

  private release(key: string): void {
    const { store, claimOwner } = this.deps;
    if (store.claims === undefined || claimOwner === undefined) return;
    store.claims.release(this.step.name, key, claimOwner).catch(() => undefined);
  }

  private logRequeue(incoming: Incoming, error: unknown): void {
    this.deps.log.warn(
      { messageId: incoming.messageId, step: this.step.name, code: codeOf(error) },
      'could not make the outcome durable; message returned to the queue',
    );
  }
}

/** What becomes of a delivery, with what makes it durable and what to count once it is settled. */
interface Decision {
  readonly settlement: Settlement;
  /** What became of the message at this step (counted once it is settled, for the live status). */
  readonly outcome?: Outcome | undefined;
  readonly commit?: (() => Promise<unknown>) | undefined;
  readonly after?: (() => void) | undefined;
}

/** Runs `work` after every earlier work queued under the same key has settled. */
async function serialise(
  chains: Map<string, Promise<void>>,
  key: string,
  work: () => Promise<void>,
): Promise<void> {
  const previous = chains.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  chains.set(key, next);
  try {
    await next;
  } finally {
    if (chains.get(key) === next) chains.delete(key);
  }
}

/** Headers worth carrying on a republish: not the broker's own death/CC bookkeeping. */
function carriedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'x-death' || name.startsWith('x-first-death') || name.startsWith('x-last-death'))
      continue;
    if (name === 'CC' || name === 'BCC' || name === 'x-delivery-count') continue;
    out[name] = value;
  }
  return out;
}

function codeOf(error: unknown): string {
  return error instanceof HubError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}
