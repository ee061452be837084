import { createHash } from 'node:crypto';
import { parse as uuidParse, v5 as uuidv5 } from 'uuid';
import type { Delivery, Publisher } from '../broker/index.js';
import {
  ATTEMPT_HEADER,
  DEADLINE_HEADER,
  DLX_EXCHANGE,
  EVENTS_EXCHANGE,
  WAIT_EXCHANGE,
  waitRoutingKey,
} from '../broker/index.js';
import {
  HubError,
  PolicyError,
  TransformError,
  UnroutableError,
  ValidationError,
  dispositionOf,
  reasonClassOf,
  reasonOf,
  schemaPathsHeader,
} from '../errors.js';
import type { Logger } from 'pino';
import type { HubMetrics } from '../metrics.js';
import {
  enforceMetadataPolicy,
  enforceMyNumberPolicy,
  isDirectReplyTo,
} from '../security/message-policy.js';
import { containsMyNumber } from '../security/my-number.js';
import type { Outcome, Store } from '../store/types.js';
import {
  conditionsHold,
  isoInJapan,
  permitsMyNumber,
  readPointer,
  retryDelayMs,
  retryPolicyOf,
  type EngineTransformer,
  type MessageCatalogue,
  type RetryPolicy,
  type Sink,
  type StepSpec,
} from './step.js';
import { childTraceparent, traceIdOf } from './trace.js';

/** Namespace for the deterministic ids of messages the hub emits (UUID v5). */
const OUTPUT_ID_NAMESPACE = '6f1c7a52-3b0e-4d8e-9a51-2c4b9d7e8f10';
const OUTPUT_ID_NAMESPACE_BYTES = uuidParse(OUTPUT_ID_NAMESPACE);

/**
 * The UUID v5 of `name` in the output namespace. The same id as `uuidv5(name, OUTPUT_ID_NAMESPACE)`;
 * given bytes, the uuid package skips re-parsing the namespace and its own UTF-8 encoder (5.6 → 2.4 µs
 * per call, twice per hop).
 */
export function outputIdOf(name: string): string {
  return uuidv5(Buffer.from(name, 'utf8'), OUTPUT_ID_NAMESPACE_BYTES);
}

/** Header carrying a saga's subject key from the request to the steps that check its reply. */
export const SAGA_SUBJECT_HEADER = 'x-hub-saga-subject';

/** Everything a step runner needs; injected by the engine. */
export interface RunnerDeps {
  readonly catalogue: MessageCatalogue;
  readonly transformers: ReadonlyMap<string, EngineTransformer>;
  readonly sinks: ReadonlyMap<string, Sink>;
  readonly publisher: Publisher;
  readonly store: Store;
  readonly metrics: HubMetrics;
  readonly log: Logger;
  /** Keyed hash of a subject identifier (never the identifier itself in the store or logs). */
  readonly hashSubject: (value: string) => string;
  readonly lgCode: string;
  readonly clock?: () => Date;
}

interface Meta {
  readonly messageId: string;
  readonly messageType: string;
  readonly correlationId: string;
  readonly attempt: number;
  readonly receivedAt: Date;
  readonly originalExchange: string;
  readonly originalRoutingKey: string;
  readonly traceparent: string | undefined;
  readonly deadline: number | undefined;
  /** Epoch ms of the AMQP timestamp (seconds on the wire), when the publisher set one. */
  readonly sentAt: number | undefined;
  readonly replyTo: string | undefined;
  readonly sagaSubject: string | undefined;
}

interface Result {
  readonly outcome: Outcome;
  readonly outputMessageId?: string | undefined;
}

function header(delivery: Delivery, name: string): unknown {
  return delivery.headers[name];
}

function asString(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Schema paths of a validation error, for headers and the outcome row (no values). */
function pathsOf(error: unknown): string | undefined {
  if (!(error instanceof ValidationError)) return undefined;
  return schemaPathsHeader(error.issues);
}

/**
 * Runs one route step: consume → validate input → transform → validate output → My Number policy →
 * publish (confirmed), deliver or reply → record the outcome (group commit) → ack. The ack is the
 * last thing that happens, so a crash anywhere before it means a redelivery, and the idempotency
 * key plus deterministic output ids make that redelivery harmless.
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
    const meta = this.meta(delivery);
    let body: unknown;
    let parseError: ValidationError | undefined;
    try {
      body = JSON.parse(delivery.content.toString('utf8')) as unknown;
    } catch {
      parseError = new ValidationError(meta.messageType, [
        { path: '', keyword: 'json', ja: 'JSON として解析できません', en: 'is not valid JSON' },
      ]);
    }
    const subject = this.subjectOf(body);
    try {
      if (this.step.orderBy !== undefined && subject !== undefined) {
        await this.inOrder(subject, () => this.process(delivery, meta, body, parseError, subject));
      } else {
        await this.process(delivery, meta, body, parseError, subject);
      }
    } finally {
      stopTimer();
    }
  }

  private meta(delivery: Delivery): Meta {
    const props = delivery.properties;
    const type = asString(props.type) ?? delivery.routingKey;
    // A publisher that sets no message id still gets a stable one: the same bytes, the same id.
    const messageId =
      asString(props.messageId) ??
      outputIdOf(createHash('sha256').update(delivery.content).digest('hex'));
    return {
      messageId,
      messageType: type,
      correlationId: asString(props.correlationId) ?? messageId,
      attempt: Math.max(1, asNumber(header(delivery, ATTEMPT_HEADER)) ?? 1),
      receivedAt: this.now(),
      originalExchange: asString(header(delivery, 'x-hub-original-exchange')) ?? delivery.exchange,
      originalRoutingKey:
        asString(header(delivery, 'x-hub-original-routing-key')) ?? delivery.routingKey,
      traceparent: asString(header(delivery, 'traceparent')),
      deadline: asNumber(header(delivery, DEADLINE_HEADER)),
      sentAt: timestampMs(props.timestamp),
      replyTo: asString(props.replyTo),
      sagaSubject: asString(header(delivery, SAGA_SUBJECT_HEADER)),
    };
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

  private idempotencyKey(meta: Meta, body: unknown): string {
    if (this.step.idempotencyKey === undefined || body === undefined) return meta.messageId;
    const value = readPointer(body, this.step.idempotencyKey);
    if (typeof value !== 'string' && typeof value !== 'number') return meta.messageId;
    const key = String(value);
    // A business key holding a My Number (an idempotency pointer at a number field) is stored as a
    // keyed hash, never in the clear (issue 13); other keys keep their form across key rotations.
    if (containsMyNumber(key)) return `mn:${this.deps.hashSubject(key)}`;
    return key.length <= 200 ? key : createHash('sha256').update(key).digest('hex');
  }

  private async process(
    delivery: Delivery,
    meta: Meta,
    body: unknown,
    parseError: ValidationError | undefined,
    subject: string | undefined,
  ): Promise<void> {
    const subjectHash = subject === undefined ? null : this.deps.hashSubject(subject);
    const key = this.idempotencyKey(meta, body);
    // Two copies of one message (a republish after a crash) may be in flight at once: the second
    // waits for the first, then finds its key processed instead of repeating the effect.
    await serialise(this.keys, key, () =>
      this.processOnce(delivery, meta, body, parseError, subject, subjectHash, key),
    );
  }

  private async processOnce(
    delivery: Delivery,
    meta: Meta,
    body: unknown,
    parseError: ValidationError | undefined,
    subject: string | undefined,
    subjectHash: string | null,
    key: string,
  ): Promise<void> {
    const { store, log } = this.deps;
    let attempt = meta.attempt;
    for (;;) {
      try {
        if (await store.processed.has(this.step.name, key)) {
          await store.outcomes.record(this.row(meta, 'duplicate', attempt, subjectHash));
          this.deps.metrics.duplicates.inc({ step: this.step.name });
          log.debug({ messageId: meta.messageId, step: this.step.name }, 'duplicate acknowledged');
          delivery.ack();
          return;
        }
      } catch (error) {
        await this.requeue(delivery, meta, error);
        return;
      }
      let result: Result;
      try {
        enforceMetadataPolicy(delivery); // issue 13: the My Number policy covers metadata too
        if (parseError) throw parseError;
        result = await this.execute(meta, body, subjectHash);
      } catch (error) {
        const retry = dispositionOf(error) === 'retry' && attempt < this.policy.maxAttempts;
        // Ordered steps retry in place: the subject stays blocked, so later messages cannot overtake.
        if (retry && this.step.orderBy !== undefined && subject !== undefined) {
          this.countFailure(error);
          await store.outcomes
            .record(this.row(meta, 'retried', attempt, subjectHash, { error }))
            .catch(() => undefined);
          await sleep(retryDelayMs(this.policy, attempt));
          attempt += 1;
          continue;
        }
        await this.fail(delivery, { ...meta, attempt }, error, retry, subjectHash);
        return;
      }
      try {
        await store.outcomes.record(
          this.row(meta, result.outcome, attempt, subjectHash, {
            outputMessageId: result.outputMessageId,
          }),
          { step: this.step.name, key, messageId: meta.messageId },
        );
      } catch (error) {
        // The effect happened but is not recorded: redeliver. The output id is deterministic, so the
        // next hop recognises the second copy.
        await this.requeue(delivery, meta, error);
        return;
      }
      delivery.ack();
      return;
    }
  }

  private row(
    meta: Meta,
    outcome: Outcome,
    attempt: number,
    subjectHash: string | null,
    extra: { outputMessageId?: string | undefined; error?: unknown } = {},
  ) {
    return {
      messageId: meta.messageId,
      messageType: meta.messageType,
      route: this.step.route,
      step: this.step.name,
      outcome,
      attempt,
      receivedAt: meta.receivedAt,
      finishedAt: this.now(),
      subjectHash,
      correlationId: meta.correlationId,
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

  private validate(messageType: string, data: unknown): void {
    const { catalogue } = this.deps;
    if (!catalogue.has(messageType)) {
      throw new ValidationError(messageType, [
        {
          path: '',
          keyword: 'messageType',
          ja: `未知の電文種別 ${messageType} です`,
          en: `unknown message type ${messageType}`,
        },
      ]);
    }
    const { issues } = catalogue.validate(messageType, data);
    if (issues.length > 0) throw new ValidationError(messageType, issues);
  }

  /**
   * The My Number rule over the whole outgoing message (hub/security/message-policy.ts): body,
   * properties, headers and routing key; a body carrying 個人番号 may only go where the affair
   * permits it.
   */
  private checkPolicy(
    messageType: string,
    body: unknown,
    sink: Sink | undefined,
    properties: { readonly headers: Readonly<Record<string, unknown>> } & object,
  ): void {
    const { headers, ...rest } = properties;
    enforceMyNumberPolicy(
      { body, properties: rest, headers, routingKey: messageType },
      {
        messageType,
        route: this.step.route,
        declared: this.deps.catalogue.carriesMyNumber(messageType),
        destination:
          sink === undefined
            ? undefined
            : {
                system: sink.system,
                permitted: permitsMyNumber(sink.allowsMyNumber, this.step.route),
              },
      },
    );
  }

  private async execute(meta: Meta, body: unknown, subjectHash: string | null): Promise<Result> {
    const { step } = this;
    const { publisher } = this.deps;
    if (meta.deadline !== undefined && Date.now() > meta.deadline) return { outcome: 'expired' };
    this.validate(meta.messageType, body);
    if (!conditionsHold(step.when, body)) return { outcome: 'skipped' };
    let output = body;
    let outputType = meta.messageType;
    if (step.transformer !== undefined) {
      const transformer = this.deps.transformers.get(step.transformer);
      if (!transformer) throw new TransformError(step.transformer, 'is not registered');
      if (transformer.accepts !== undefined && !transformer.accepts(body as never)) {
        return { outcome: 'skipped' };
      }
      try {
        output = transformer.transform(body as never, {
          messageId: meta.messageId,
          correlationId: meta.correlationId,
          now: isoInJapan(this.now()),
          lgCode: this.deps.lgCode,
          ...(meta.sagaSubject === undefined ? {} : { subjectKey: meta.sagaSubject }),
        });
      } catch (error) {
        if (error instanceof HubError) throw error;
        throw new TransformError(step.transformer, error instanceof Error ? error.name : 'failed', {
          cause: error,
        });
      }
      outputType = transformer.to;
      this.validate(outputType, output);
    }
    if (step.output.kind === 'publish') outputType = step.output.messageType;
    const outputMessageId = outputIdOf(`${step.name}:${meta.messageId}`);
    const content = Buffer.from(JSON.stringify(output), 'utf8');
    const headers: Record<string, unknown> = {
      'x-hub-route': step.route,
      'x-hub-step': step.name,
      'x-hub-causation-id': meta.messageId,
      traceparent: childTraceparent(meta.traceparent),
    };
    if (subjectHash !== null) headers['x-hub-subject'] = subjectHash;
    if (meta.deadline !== undefined) headers[DEADLINE_HEADER] = meta.deadline;
    const sagaSubject =
      step.sagaSubject === undefined ? meta.sagaSubject : readPointer(output, step.sagaSubject);
    if (typeof sagaSubject === 'string') headers[SAGA_SUBJECT_HEADER] = sagaSubject;
    const properties = {
      messageId: outputMessageId,
      type: outputType,
      correlationId: meta.correlationId,
      appId: 'hub',
      headers,
    };
    switch (step.output.kind) {
      case 'publish': {
        this.checkPolicy(outputType, output, undefined, properties);
        await publisher.publish(EVENTS_EXCHANGE, outputType, content, properties);
        this.deps.metrics.published.inc({ step: step.name, message_type: outputType });
        return { outcome: 'published', outputMessageId };
      }
      case 'deliver': {
        const sink = this.deps.sinks.get(step.output.system);
        if (!sink)
          throw new TransformError(step.name, `no connector for system ${step.output.system}`);
        this.checkPolicy(outputType, output, sink, properties);
        await sink.deliver({
          route: step.route,
          messageId: outputMessageId,
          messageType: outputType,
          correlationId: meta.correlationId,
          body: output,
          content,
          headers,
        });
        this.deps.metrics.delivered.inc({ step: step.name, system: sink.system });
        return { outcome: 'delivered', outputMessageId };
      }
      case 'reply': {
        if (meta.replyTo === undefined) {
          throw new TransformError(step.name, 'the request has no reply-to address');
        }
        if (!isDirectReplyTo(meta.replyTo)) {
          throw new PolicyError(`${step.name}: reply-to is not a direct reply-to address`, {
            ja: `応答先が直接応答（amq.rabbitmq.reply-to）のアドレスではありません。任意のキューには応答しません（隔離しました）`,
            en: 'The reply-to is not a direct reply-to (amq.rabbitmq.reply-to) address; replies go to no other queue (quarantined)',
          });
        }
        this.checkPolicy(outputType, output, undefined, properties);
        const deadline = replyDeadline(meta, step.output.deadlineMs);
        if (deadline !== undefined && Date.now() > deadline) return { outcome: 'expired' };
        try {
          await publisher.publish('', meta.replyTo, content, { ...properties, mandatory: false });
        } catch (error) {
          // The requester is gone (it gave up at its deadline): nobody can take this reply.
          if (error instanceof UnroutableError) return { outcome: 'expired' };
          throw error;
        }
        return { outcome: 'replied', outputMessageId };
      }
    }
  }

  private countFailure(error: unknown): void {
    this.deps.metrics.failed.inc({ step: this.step.name, reason: reasonClassOf(error) });
  }

  /** Sends the original message to a wait queue (retry) or the DLX (dead letter), then acks. */
  private async fail(
    delivery: Delivery,
    meta: Meta,
    error: unknown,
    retry: boolean,
    subjectHash: string | null,
  ): Promise<void> {
    const { publisher, store, metrics, log } = this.deps;
    this.countFailure(error);
    const reason = reasonOf(error);
    const baseHeaders: Record<string, unknown> = {
      ...carriedHeaders(delivery.headers),
      'x-hub-original-exchange': meta.originalExchange,
      'x-hub-original-routing-key': meta.originalRoutingKey,
    };
    const props = {
      messageId: meta.messageId,
      type: meta.messageType,
      correlationId: meta.correlationId,
      appId: asString(delivery.properties.appId),
      replyTo: meta.replyTo,
      timestamp: asNumber(delivery.properties.timestamp),
    };
    try {
      if (retry) {
        const delay = retryDelayMs(this.policy, meta.attempt);
        await publisher.publish(WAIT_EXCHANGE, waitRoutingKey(delay), delivery.content, {
          ...props,
          headers: {
            ...baseHeaders,
            [ATTEMPT_HEADER]: meta.attempt + 1,
            'x-hub-last-error': reason.en,
          },
          cc: [this.queue],
        });
        await store.outcomes.record(
          this.row(meta, 'retried', meta.attempt, subjectHash, { error }),
        );
        metrics.retried.inc({ step: this.step.name });
        log.warn(
          {
            messageId: meta.messageId,
            step: this.step.name,
            attempt: meta.attempt,
            delayMs: delay,
            code: codeOf(error),
          },
          'step failed; retry scheduled',
        );
      } else {
        await publisher.publish(DLX_EXCHANGE, meta.messageType, delivery.content, {
          ...props,
          headers: {
            ...baseHeaders,
            [ATTEMPT_HEADER]: meta.attempt,
            'x-hub-route': this.step.route,
            'x-hub-step': this.step.name,
            'x-hub-original-queue': this.queue,
            'x-hub-reason-class': reasonClassOf(error),
            'x-hub-reason-ja': reason.ja,
            'x-hub-reason-en': reason.en,
            'x-hub-error-code': codeOf(error),
            'x-hub-failed-at': this.now().toISOString(),
            ...(pathsOf(error) === undefined ? {} : { 'x-hub-schema-paths': pathsOf(error) }),
          },
        });
        await store.outcomes.record(
          this.row(meta, 'dead-lettered', meta.attempt, subjectHash, { error }),
        );
        metrics.deadLettered.inc({ step: this.step.name, reason: reasonClassOf(error) });
        log.warn(
          {
            messageId: meta.messageId,
            step: this.step.name,
            attempt: meta.attempt,
            code: codeOf(error),
            reasonClass: reasonClassOf(error),
            paths: pathsOf(error),
            traceId: traceIdOf(meta.traceparent),
          },
          'message dead-lettered',
        );
      }
    } catch (failure) {
      await this.requeue(delivery, meta, failure);
      return;
    }
    delivery.ack();
  }

  /** Returns the message to its queue after a pause (the broker counts it toward the delivery limit). */
  private async requeue(delivery: Delivery, meta: Meta, error: unknown): Promise<void> {
    this.deps.log.warn(
      { messageId: meta.messageId, step: this.step.name, code: codeOf(error) },
      'could not make the outcome durable; message returned to the queue',
    );
    await sleep(250);
    delivery.nack(true);
  }
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

/**
 * The AMQP timestamp in ms. On the wire it is whole seconds (some publishers send ms): a request
 * stamped in second S was sent before the end of S, so deadlines count from there (never early).
 */
function timestampMs(value: unknown): number | undefined {
  const number = asNumber(value);
  if (number === undefined || number <= 0) return undefined;
  return number < 1e11 ? number * 1000 + 999 : number;
}

/** The earlier of the request's own deadline and the step's declared one. */
function replyDeadline(meta: Meta, deadlineMs: number | undefined): number | undefined {
  const declared =
    deadlineMs === undefined || deadlineMs <= 0
      ? undefined
      : (meta.sentAt ?? meta.receivedAt.getTime()) + deadlineMs;
  if (declared === undefined) return meta.deadline;
  return meta.deadline === undefined ? declared : Math.min(meta.deadline, declared);
}

function codeOf(error: unknown): string {
  return error instanceof HubError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}
