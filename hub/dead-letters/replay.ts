/**
 * Replay: sends archived dead letters again, to the step that failed (or another target), at a
 * bounded rate, cancellable, with a replay counter on the message and a cap against loops. Every
 * letter is first run through the target step's own pipeline (`hub/engine/plan.ts`: the engine's
 * transformers, connectors' permissions, 地方公共団体コード and clock); a dry run is that and no
 * publish.
 */
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  ATTEMPT_HEADER,
  DEADLINE_HEADER,
  EVENTS_EXCHANGE,
  RETRY_RETURN_EXCHANGE,
  stepQueueName,
  type Publisher,
} from '../broker/index.js';
import { incomingOf, planStep, type PlanDeps, type Plan } from '../engine/plan.js';
import type { MessageCatalogue, StepSpec } from '../engine/step.js';
import { HubError, ValidationError, reasonOf } from '../errors.js';
import { loggerFor } from '../logger.js';
import type { OperatorLog } from '../audit/operator-log.js';
import type { DeadLetter, DeadLetterFilter, DeadLetterRepository } from '../store/dead-letters.js';

const log = loggerFor('dead-letters');

/** Namespace of replayed message ids: UUID v5 of the original id. */
const REPLAY_ID_NAMESPACE = '9d2b7c1e-4f3a-5b6c-8d9e-0a1b2c3d4e5f';

type Headers = Record<string, unknown>;
type Received = Parameters<typeof incomingOf>[0];

/** Replays of one message (across its dead letters) before a replay is refused. */
export const DEFAULT_REPLAY_CAP = 3;

/** The header counting replays of a message; carried on every replay. */
export const REPLAY_COUNT_HEADER = 'x-hub-replay-count';
/** The header naming the message id a replay descends from (the first original). */
export const REPLAY_OF_HEADER = 'x-hub-replay-of';

/** Who asks, as the operator log records it. */
export interface Actor {
  readonly name: string;
  readonly role: string;
}

/** Where a replay goes. */
export interface ReplayTarget {
  readonly exchange: string;
  readonly routingKey: string;
  /** The message type the replay carries. */
  readonly messageType: string;
  /** The step that will take it, when known. */
  readonly step: string | null;
  /** For people: `step affair-1.x (hub.step.affair-1.x)` or `hub.events → type`. */
  readonly description: string;
}

/** What replay needs from the hub. */
export interface ReplayDeps {
  readonly repository: DeadLetterRepository;
  readonly operatorLog: OperatorLog;
  /** Absent for dry runs that only validate (the CLI without a broker). */
  readonly publisher?: Publisher | undefined;
  readonly catalogue: MessageCatalogue;
  /**
   * The steps' pipeline, as the engine runs it (`engine.pipeline`): with it, a letter going back to a
   * known step is planned exactly as that step will process it. Without it (a CLI that only
   * validates), letters are checked against their schema only.
   */
  readonly pipeline?: PlanDeps | undefined;
  /** The running route steps (for `--to <route>` and planning the target step). */
  readonly steps?: (() => readonly StepSpec[]) | undefined;
}

/** One replay request (`hub dlq replay`, `POST /api/dead-letters/replay`). */
export interface ReplayRequest {
  readonly ids?: readonly number[] | undefined;
  readonly filter?: DeadLetterFilter | undefined;
  /** A message type, `step:<name>` or a route; default the original destination. */
  readonly to?: string | undefined;
  readonly dryRun?: boolean | undefined;
  /** Messages per second; default unlimited. */
  readonly ratePerSecond?: number | undefined;
  /** A corrected body (exactly one id): an "edit", recorded in the operator log. */
  readonly body?: Buffer | undefined;
  readonly actor: Actor;
  readonly reason?: string | undefined;
  /**
   * Replay letters that were replayed before (`--again`): needs a reason. Without it such letters
   * are refused, and a filter takes open letters only — a second replay is a deliberate act.
   */
  readonly again?: boolean | undefined;
  readonly cap?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** What happened to one letter. */
export interface ReplayItem {
  readonly id: number;
  readonly messageId: string;
  readonly status: 'published' | 'would-publish' | 'refused' | 'failed' | 'not-started';
  readonly target?: ReplayTarget | undefined;
  readonly replayMessageId?: string | undefined;
  readonly replayCount?: number | undefined;
  /** Schema paths (never values) when validation failed. */
  readonly issues?: readonly string[] | undefined;
  readonly problem?: { readonly en: string; readonly ja: string } | undefined;
  /** The error code when it failed (HUB_DEAD_LETTER_UNREADABLE: the payload cannot be decrypted). */
  readonly code?: string | undefined;
  /** Milliseconds since the run started when it was published (for rate checks). */
  readonly atMs?: number | undefined;
  /** What the target step does with it (`transformer → type, deliver to SYSTEM`). */
  readonly effect?: string | undefined;
  /** The message the target step will emit for it (when the step is known and emits one). */
  readonly output?: ReplayOutput | undefined;
}

/** The message a step emits for a replayed letter: enough to compare, no personal data. */
export interface ReplayOutput {
  readonly kind: 'publish' | 'deliver' | 'reply';
  readonly messageId: string;
  readonly messageType: string;
  /** The system (deliver), the message type (publish) or the requester (reply). */
  readonly destination: string;
  /** SHA-256 of the emitted bytes. */
  readonly sha256: string;
}

/** The report of one run. */
export interface ReplayReport {
  readonly dryRun: boolean;
  readonly cancelled: boolean;
  readonly total: number;
  readonly published: number;
  readonly refused: number;
  readonly failed: number;
  readonly notStarted: number;
  readonly items: readonly ReplayItem[];
  readonly durationMs: number;
}

/** A replay request that cannot run at all (bad target, body with several letters …). */
export class ReplayRequestError extends HubError {
  constructor(en: string, ja: string) {
    super('HUB_REPLAY_REFUSED', en, 'dead-letter', { reason: { en, ja } });
  }
}

/** What a step does with its output, for people. */
function outputOf(spec: StepSpec): string {
  switch (spec.output.kind) {
    case 'publish':
      return `publish ${spec.output.messageType}`;
    case 'deliver':
      return `deliver to ${spec.output.system}`;
    case 'reply':
      return 'reply to the requester';
  }
}

function numberOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return 0;
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A letter whose replay threw (its payload cannot be decrypted, the store failed for it …): an error
 * of that letter, reported with it; the run goes on with the others.
 */
function failedItem(
  letter: DeadLetter,
  target: ReplayTarget | undefined,
  error: unknown,
): ReplayItem {
  if (!(error instanceof HubError)) {
    log.error({ err: error, deadLetter: letter.id }, 'dead-letter replay failed for one letter');
  }
  return {
    id: letter.id,
    messageId: letter.messageId,
    target,
    status: 'failed',
    code: error instanceof HubError ? error.code : 'HUB_INTERNAL',
    problem: reasonOf(error),
  };
}

/**
 * The id every replay of `rootId` carries: derived from the original only, so a second replay (or
 * a retried one) is the same message to the engine — which acknowledges it as a duplicate once a
 * replay got through — and to the receiver, which can de-duplicate by it. Not the original id
 * itself: that one may have been processed by other steps, and the replay must reach its target.
 */
export function replayMessageId(rootId: string): string {
  return uuidv5(`${rootId}:replay`, REPLAY_ID_NAMESPACE);
}

/** The shortest reason a second replay takes (the same rule as an unmasked view). */
export const MIN_REASON_LENGTH = 4;

/** Headers the failure added or the broker keeps: not carried into a replay. */
function isFailureHeader(name: string): boolean {
  return (
    name === 'x-death' ||
    name.startsWith('x-first-death') ||
    name.startsWith('x-last-death') ||
    name === 'x-delivery-count' ||
    name === 'CC' ||
    name === 'BCC' ||
    name.startsWith('x-hub-reason-') ||
    name === 'x-hub-error-code' ||
    name === 'x-hub-schema-paths' ||
    name === 'x-hub-failed-at' ||
    name === 'x-hub-last-error' ||
    name === 'x-hub-original-queue' ||
    name === ATTEMPT_HEADER ||
    // A request's deadline is long gone: the replay is not an answer anyone waits for.
    name === DEADLINE_HEADER
  );
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Replays dead letters; one operator-log row per run (and one per edit). */
export function createReplayer(deps: ReplayDeps) {
  // The engine's clock: the replay and its dry run see the time the step will see.
  const now = () => deps.pipeline?.clock?.() ?? new Date();
  const steps = () => deps.steps?.() ?? [];

  function targetOf(letter: DeadLetter, to: string | undefined): ReplayTarget {
    if (to === undefined) {
      const queue = letter.originalQueue;
      if (queue?.startsWith('hub.step.') === true) {
        // Back to the step that failed only (through the retry-return exchange, where each step
        // queue is bound by its own name), not to every step bound to the type: those succeeded.
        return {
          exchange: RETRY_RETURN_EXCHANGE,
          routingKey: queue,
          messageType: letter.messageType,
          step: queue.slice('hub.step.'.length),
          description: `step ${queue.slice('hub.step.'.length)} (${queue})`,
        };
      }
      return {
        exchange: letter.originalExchange,
        routingKey: letter.originalRoutingKey,
        messageType: letter.messageType,
        step: null,
        description: `${letter.originalExchange} → ${letter.originalRoutingKey}`,
      };
    }
    if (to.startsWith('step:')) {
      const step = to.slice('step:'.length);
      return {
        exchange: RETRY_RETURN_EXCHANGE,
        routingKey: stepQueueName(step),
        messageType: letter.messageType,
        step,
        description: `step ${step} (${stepQueueName(step)})`,
      };
    }
    if (deps.catalogue.has(to)) {
      return {
        exchange: EVENTS_EXCHANGE,
        routingKey: to,
        messageType: to,
        step: null,
        description: `${EVENTS_EXCHANGE} → ${to}`,
      };
    }
    const routeStep = steps().find(
      (step) => step.route === to && step.input.includes(letter.messageType),
    );
    if (routeStep !== undefined) {
      return {
        exchange: RETRY_RETURN_EXCHANGE,
        routingKey: stepQueueName(routeStep.name),
        messageType: letter.messageType,
        step: routeStep.name,
        description: `route ${to}: step ${routeStep.name} (${stepQueueName(routeStep.name)})`,
      };
    }
    throw new ReplayRequestError(
      `unknown target "${to}": give a message type, step:<name>, or a running route that takes ${letter.messageType}`,
      `再送先「${to}」が不明です（電文種別、step:<ステップ名>、または ${letter.messageType} を受ける経路を指定してください）`,
    );
  }

  /**
   * Runs the message the replay would send through its target step's pipeline, exactly as the step
   * will (`planStep`: validation, conditions, transformer, output schema, My Number policy, with the
   * engine's clock, time zone and 地方公共団体コード). Without the step or the pipeline, validates the
   * body as its type only. Returns the problems (paths, never values) and what the step will do.
   */
  function check(
    target: ReplayTarget,
    message: { content: Buffer; properties: Received['properties']; headers: Headers },
  ): {
    issues: string[];
    problem?: { en: string; ja: string };
    effect?: string;
    output?: ReplayOutput;
  } {
    const spec = steps().find((step) => step.name === target.step);
    const pipeline = deps.pipeline;
    if (spec === undefined || pipeline === undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.content.toString('utf8'));
      } catch {
        return { issues: ['/ json'] };
      }
      if (!deps.catalogue.has(target.messageType)) {
        return { issues: [`/ unknown type ${target.messageType}`] };
      }
      const issues = deps.catalogue.validate(target.messageType, parsed).issues;
      return { issues: issues.map((issue) => `${issue.path || '/'} ${issue.keyword}`) };
    }
    const incoming = incomingOf(
      {
        content: message.content,
        properties: message.properties,
        headers: message.headers,
        routingKey: target.routingKey,
        exchange: target.exchange,
      },
      now(),
    );
    const plan: Plan = planStep(spec, incoming, null, pipeline, now());
    switch (plan.kind) {
      case 'reject': {
        const error = plan.error;
        const issues =
          error instanceof ValidationError
            ? error.issues.map(
                (issue) =>
                  `${error.schemaId === target.messageType ? '' : 'output '}${issue.path || '/'} ${issue.keyword}`,
              )
            : [`/ ${error instanceof HubError ? error.code : 'failed'}`];
        return {
          issues,
          ...(error instanceof ValidationError ? {} : { problem: reasonOf(error) }),
        };
      }
      case 'skip':
        return {
          issues: [],
          effect:
            plan.outcome === 'skipped'
              ? `skipped by step ${spec.name}: its conditions do not take this message / 条件に合わないためステップ ${spec.name} は処理しません`
              : `expired before step ${spec.name} takes it / 期限切れのためステップ ${spec.name} は処理しません`,
        };
      case 'emit': {
        const output = plan.output;
        return {
          issues: [],
          effect:
            spec.transformer === undefined
              ? outputOf(spec)
              : `${spec.transformer} → ${output.messageType}, ${outputOf(spec)}`,
          output: {
            kind: output.kind,
            messageId: output.messageId,
            messageType: output.messageType,
            destination: output.destination,
            sha256: createHash('sha256').update(output.content).digest('hex'),
          },
        };
      }
    }
  }

  async function run(request: ReplayRequest): Promise<ReplayReport> {
    const dryRun = request.dryRun === true;
    const cap = request.cap ?? DEFAULT_REPLAY_CAP;
    if (request.ratePerSecond !== undefined && !(request.ratePerSecond > 0)) {
      throw new ReplayRequestError(
        'the rate must be a positive number per second',
        '速度は毎秒の正の数で指定してください',
      );
    }
    if (request.again === true && (request.reason?.trim().length ?? 0) < MIN_REASON_LENGTH) {
      throw new ReplayRequestError(
        'replaying letters again (--again) needs a reason (--reason, recorded in the operator log)',
        '再送済みのデッドレターを再び送るには理由が必要です（--reason、操作記録に残ります）',
      );
    }
    // A filter takes open letters unless asked for replayed ones again: a second replay is never
    // the accidental default.
    const letters =
      request.ids !== undefined
        ? (await deps.repository.list({ ids: request.ids, status: 'all', limit: 100_000 })).sort(
            (a, b) => a.id - b.id,
          )
        : (
            await deps.repository.list({
              limit: 100_000,
              ...request.filter,
              status: request.filter?.status ?? (request.again === true ? undefined : 'open'),
            })
          ).sort((a, b) => a.id - b.id);
    if (request.body !== undefined && letters.length !== 1) {
      throw new ReplayRequestError(
        'a corrected body (--body) replays exactly one dead letter',
        '修正本文（--body）で再送できるのは 1 件だけです',
      );
    }
    // Resolve targets before anything is sent: a bad target fails the whole request up front.
    const targets = new Map(letters.map((letter) => [letter.id, targetOf(letter, request.to)]));
    if (!dryRun && deps.publisher === undefined) {
      throw new ReplayRequestError(
        'no broker connection for publishing',
        'ブローカーに接続していないため再送できません',
      );
    }
    const started = Date.now();
    const intervalMs = request.ratePerSecond === undefined ? 0 : 1000 / request.ratePerSecond;
    const results: ReplayItem[] = [];
    let sent = 0;
    let done = 0;
    let cancelled = false;
    // A few letters are prepared and confirmed at once, so the pace is set by the schedule and not by
    // each letter's round trips (payload read, confirm, bookkeeping); releases stay in slot order.
    const window = intervalMs > 0 ? 8 : 1;
    const aborted = () => request.signal?.aborted === true;
    const inFlight = new Set<Promise<void>>();
    for (const [index, letter] of letters.entries()) {
      if (request.signal?.aborted === true) {
        cancelled = true;
        results[index] = { id: letter.id, messageId: letter.messageId, status: 'not-started' };
        continue;
      }
      const target = targets.get(letter.id);
      // Never rejects: whatever one letter throws is that letter's result (a rejected task here would
      // end the process as an unhandled rejection, or abandon the letters still in flight).
      const task = (async () => {
        let releasedAt = 0;
        let item: ReplayItem;
        try {
          item = await replayOne(letter, target, request, cap, dryRun, async () => {
            if (aborted()) return false;
            // Paced by schedule, not by sleeping a fixed gap: processing time does not add up as drift.
            const slot = sent;
            sent += 1;
            if (intervalMs > 0)
              await sleep(started + slot * intervalMs - Date.now(), request.signal);
            if (aborted()) return false;
            releasedAt = Date.now() - started;
            return true;
          });
        } catch (error) {
          item = failedItem(letter, target, error);
        }
        if (item.status === 'not-started') cancelled = true;
        // The time the publish was released: what the rate governs (its confirm can take longer).
        results[index] = item.status === 'published' ? { ...item, atMs: releasedAt } : item;
        done += 1;
        try {
          request.onProgress?.(done, letters.length);
        } catch (error) {
          log.warn({ err: error }, 'replay progress callback failed');
        }
      })();
      inFlight.add(task);
      const settled = () => inFlight.delete(task);
      task.then(settled, settled);
      if (inFlight.size >= window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const items = results;
    const count = (status: ReplayItem['status']) =>
      items.filter((item) => item.status === status).length;
    const report: ReplayReport = {
      dryRun,
      cancelled,
      total: letters.length,
      published: count('published'),
      refused: count('refused'),
      failed: count('failed'),
      notStarted: count('not-started'),
      items,
      durationMs: Date.now() - started,
    };
    if (!dryRun) {
      await deps.operatorLog.append({
        actor: request.actor.name,
        role: request.actor.role,
        action: 'dead-letter.replay',
        target: letters.length === 1 ? `dead-letter:${String(letters[0]?.id)}` : 'dead-letters',
        reason: request.reason ?? null,
        detail: {
          to: request.to ?? 'original',
          again: request.again === true,
          rate: request.ratePerSecond ?? null,
          cancelled,
          published: items
            .filter((item) => item.status === 'published')
            .map((item) => ({ id: item.id, messageId: item.replayMessageId })),
          refused: items.filter((item) => item.status === 'refused').map((item) => item.id),
          failed: items.filter((item) => item.status === 'failed').map((item) => item.id),
          notStarted: items.filter((item) => item.status === 'not-started').map((item) => item.id),
        },
      });
    }
    log.info(
      {
        dryRun,
        total: report.total,
        published: report.published,
        refused: report.refused,
        failed: report.failed,
        cancelled,
        actor: request.actor.name,
      },
      'dead-letter replay finished',
    );
    return report;
  }

  async function replayOne(
    letter: DeadLetter,
    target: ReplayTarget | undefined,
    request: ReplayRequest,
    cap: number,
    dryRun: boolean,
    pace: () => Promise<boolean>,
  ): Promise<ReplayItem> {
    const base = { id: letter.id, messageId: letter.messageId, target };
    if (target === undefined) return { ...base, status: 'refused' };
    if (letter.status === 'purged') {
      return {
        ...base,
        status: 'refused',
        problem: {
          en: 'purged: the original bytes are gone',
          ja: '削除済みのため原本がありません',
        },
      };
    }
    if (letter.replayCount > 0 && request.again !== true) {
      return {
        ...base,
        status: 'refused',
        problem: {
          en: `already replayed ${String(letter.replayCount)} time(s): a replay reaches the receiver under the same id, so it is de-duplicated there; to send it again anyway, replay with --again and a --reason`,
          ja: `既に ${String(letter.replayCount)} 回再送済みです（再送は同じ ID で届くため受信側で重複として扱われます）。それでも再送する場合は --again と --reason（理由）を指定してください`,
        },
      };
    }
    const previous = numberOf(letter.headers[REPLAY_COUNT_HEADER]);
    const replayCount = previous + letter.replayCount + 1;
    if (replayCount > cap) {
      return {
        ...base,
        status: 'refused',
        replayCount,
        problem: {
          en: `replayed ${String(replayCount - 1)} times already (cap ${String(cap)}): fix the cause before sending it again`,
          ja: `既に ${String(replayCount - 1)} 回再送されています（上限 ${String(cap)} 回）。原因を解消してください`,
        },
      };
    }
    const original = await deps.repository.payload(letter.id);
    if (original === undefined) return { ...base, status: 'refused' };
    const body = request.body ?? original;
    const rootId = textOf(letter.headers[REPLAY_OF_HEADER]) ?? letter.messageId;
    const newId = replayMessageId(rootId);
    const headers: Headers = {};
    for (const [name, value] of Object.entries(letter.headers)) {
      if (!isFailureHeader(name)) headers[name] = value;
    }
    Object.assign(headers, {
      [REPLAY_COUNT_HEADER]: replayCount,
      [REPLAY_OF_HEADER]: rootId,
      'x-hub-replay-dead-letter': letter.id,
      'x-hub-original-exchange': letter.originalExchange,
      'x-hub-original-routing-key': letter.originalRoutingKey,
    });
    const properties = {
      messageId: newId,
      type: target.messageType,
      correlationId: letter.correlationId ?? letter.messageId,
      appId: textOf(letter.properties['appId']),
      timestamp: Math.floor(now().getTime() / 1000),
    };
    const { issues, problem, effect, output } = check(target, {
      content: body,
      properties,
      headers,
    });
    if (issues.length > 0) {
      return {
        ...base,
        status: 'refused',
        issues,
        problem: problem ?? {
          en: `not a valid ${target.messageType}: fix the body (--body <file>) before replaying`,
          ja: `${target.messageType} として不正です。本文を修正してから再送してください（--body <ファイル>）`,
        },
      };
    }
    const planned = {
      replayMessageId: newId,
      replayCount,
      ...(effect === undefined ? {} : { effect }),
      ...(output === undefined ? {} : { output }),
    };
    if (dryRun) return { ...base, status: 'would-publish', ...planned };
    if (!(await pace())) return { ...base, status: 'not-started' };
    if (request.body !== undefined) {
      await deps.operatorLog.append({
        actor: request.actor.name,
        role: request.actor.role,
        action: 'dead-letter.edit',
        target: `dead-letter:${String(letter.id)}`,
        reason: request.reason ?? null,
        detail: {
          originalSha256: createHash('sha256').update(original).digest('hex'),
          editedSha256: createHash('sha256').update(body).digest('hex'),
          editedSize: body.length,
          replayMessageId: newId,
        },
      });
    }
    try {
      await deps.publisher?.publish(target.exchange, target.routingKey, body, {
        ...properties,
        headers,
      });
    } catch (error) {
      return {
        ...base,
        status: 'failed',
        replayMessageId: newId,
        replayCount,
        problem:
          error instanceof HubError
            ? error.reason
            : { en: 'publish failed', ja: '発行に失敗しました' },
      };
    }
    await deps.repository.markReplayed(letter.id, now());
    return { ...base, status: 'published', ...planned };
  }

  return { run, targetOf };
}

/** The replayer created by `createReplayer`. */
export type Replayer = ReturnType<typeof createReplayer>;
