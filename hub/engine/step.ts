import type { SchemaIssue } from '../errors.js';

/** How a step retries a transient failure: exponential backoff through TTL wait queues. */
export interface RetryPolicy {
  /** Total attempts including the first (1 = never retry). */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly multiplier: number;
  readonly maxDelayMs: number;
}

/** Default: 5 attempts over ≈ 15 s (1, 2, 4, 8 s), then a dead letter. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  multiplier: 2,
  maxDelayMs: 60_000,
};

/** The tests a `hub-route` node offers. */
export const conditionOps = [
  'eq',
  'neq',
  'exists',
  'in',
  'prefix',
  'lt',
  'lte',
  'gt',
  'gte',
  'before',
  'after',
] as const;

/** One test of a `hub-route` node. */
export type ConditionOp = (typeof conditionOps)[number];

/** A content-based routing test on one field of the input (the editor's hub-route node). */
export interface StepCondition {
  /** JSON pointer into the input body, e.g. `/movementReason/reason`. */
  readonly field: string;
  readonly op: ConditionOp;
  /**
   * Compared as text for eq/neq/prefix; a comma-separated list for `in`; a number for lt/lte/gt/gte;
   * a calendar day (YYYY-MM-DD or YYYYMMDD) for before/after.
   */
  readonly value?: string | undefined;
  /** The route's "otherwise" branch: holds exactly when the test does not. */
  readonly negate?: boolean | undefined;
}

/** True when every condition holds for `body` (no conditions: always). */
export function conditionsHold(
  conditions: readonly StepCondition[] | undefined,
  body: unknown,
): boolean {
  if (conditions === undefined) return true;
  return conditions.every(
    (condition) =>
      testHolds(condition, readPointer(body, condition.field)) !== (condition.negate === true),
  );
}

/** A scalar as text, or undefined for a missing, null, object or array value. */
function scalarText(found: unknown): string | undefined {
  return typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean'
    ? String(found)
    : undefined;
}

/** A calendar day as YYYYMMDD digits (from YYYY-MM-DD, YYYYMMDD or an ISO instant's date). */
export function calendarDay(value: string): string | undefined {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})(?:$|T)/.exec(value.trim());
  return match === null ? undefined : `${match[1]}${match[2]}${match[3]}`;
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** Whether one test holds for the value found (a value that is absent or of the wrong kind: false). */
function testHolds(condition: StepCondition, found: unknown): boolean {
  const text = scalarText(found);
  const expected = condition.value ?? '';
  switch (condition.op) {
    case 'exists':
      return found !== undefined && found !== null;
    case 'eq':
      return text === expected;
    case 'neq':
      return text !== expected;
    case 'in':
      return (
        text !== undefined &&
        expected
          .split(',')
          .map((item) => item.trim())
          .includes(text)
      );
    case 'prefix':
      return text?.startsWith(expected) ?? false;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const left = numberOf(text);
      const right = numberOf(expected);
      if (left === undefined || right === undefined) return false;
      return condition.op === 'lt'
        ? left < right
        : condition.op === 'lte'
          ? left <= right
          : condition.op === 'gt'
            ? left > right
            : left >= right;
    }
    case 'before':
    case 'after': {
      const left = text === undefined ? undefined : calendarDay(text);
      const right = calendarDay(expected);
      if (left === undefined || right === undefined) return false;
      return condition.op === 'before' ? left < right : left > right;
    }
  }
}

/** Where a step's result goes. */
export type StepOutput =
  | { readonly kind: 'publish'; readonly messageType: string }
  | { readonly kind: 'deliver'; readonly system: string }
  | {
      readonly kind: 'reply';
      /**
       * The requester gives up after this long (the `hub-request` node's deadline): counted from the
       * request's AMQP timestamp, or from its arrival at the step when it has none. A reply that
       * would come later is not sent (outcome `expired`). A deadline header on the request, when
       * earlier, wins.
       */
      readonly deadlineMs?: number;
    };

/**
 * One route step: a quorum queue bound to some message types, and what the engine does with each
 * message taken from it. Flows in the editor compile into these.
 */
export interface StepSpec {
  /** The route (affair) the step belongs to, e.g. `affair-1`. */
  readonly route: string;
  /** Unique step name, e.g. `affair-1.identity-info-to-cs`; names the queue `hub.step.<name>`. */
  readonly name: string;
  /** Message types the step takes (binding keys on hub.events). */
  readonly input: readonly string[];
  /**
   * Content-based routing: the step handles only inputs for which every condition holds; the others
   * are acknowledged as `skipped` (another step bound to the same type takes them).
   */
  readonly when?: readonly StepCondition[] | undefined;
  /** Transformer name from the registry; without one the validated input is passed on as is. */
  readonly transformer?: string | undefined;
  readonly output: StepOutput;
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Business key for idempotency: a JSON pointer into the body; default the message id. */
  readonly idempotencyKey?: string | undefined;
  /**
   * Per-subject order: a JSON pointer to the subject (e.g. `/resident/juminhyoCode`). Messages about
   * the same subject are processed in arrival order, across consumers and hub replicas.
   */
  readonly orderBy?: string | undefined;
  /** JSON pointer of the subject recorded (as a keyed hash) with each outcome; default `orderBy`. */
  readonly subject?: string | undefined;
  /**
   * JSON pointer into this step's output whose value becomes the saga's subject key: carried on
   * every later message of the saga (header `x-hub-saga-subject`) and given to transformers as
   * `context.subjectKey`, so a reply can be checked against the subject of its request.
   */
  readonly sagaSubject?: string | undefined;
  /** Redeliveries the broker allows before it dead-letters a poison message. */
  readonly deliveryLimit?: number | undefined;
  readonly prefetch?: number | undefined;
}

/** What the engine needs from the schema catalogue. */
export interface MessageCatalogue {
  has(messageType: string): boolean;
  validate(messageType: string, data: unknown): { readonly issues: readonly SchemaIssue[] };
  carriesMyNumber(messageType: string): boolean;
}

/** What a transformer is to the engine; the transformers' own registry is typed more precisely. */
export interface TransformContext {
  readonly messageId: string;
  readonly correlationId?: string;
  /** Now, as ISO 8601 in Japan time (+09:00): dates in the catalogue are Japanese calendar days. */
  readonly now: string;
  readonly lgCode: string;
  /** The saga's subject key (header `x-hub-saga-subject`), set by an earlier step. */
  readonly subjectKey?: string;
}

/** A pure mapping from one message type to another. */
export interface EngineTransformer {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** Whether the hop applies to this input; absent means always. */
  accepts?(input: never): boolean;
  transform(input: never, context: TransformContext): unknown;
}

/** A message on its way to an external system through a connector. */
export interface OutboundMessage {
  /** The route (affair) the message goes out on; a sink checks its My Number permission on it. */
  readonly route?: string;
  readonly messageId: string;
  readonly messageType: string;
  readonly correlationId: string;
  readonly body: unknown;
  readonly content: Buffer;
  readonly headers: Readonly<Record<string, unknown>>;
}

/**
 * Whether a system may receive 個人番号: `true` for every affair, `false` for none, or only on the
 * listed routes (affairs), following the seed's legend (個人番号を含む流れ).
 */
export type MyNumberPermission = boolean | { readonly routes: readonly string[] };

/** A connector's outbound side. Idempotent by `messageId`; throws ConnectorError on failure. */
export interface Sink {
  readonly system: string;
  /** Whether this system may receive 個人番号, per affair. */
  readonly allowsMyNumber: MyNumberPermission;
  deliver(message: OutboundMessage): Promise<void>;
}

/** True when `permission` lets the system receive 個人番号 on `route`. */
export function permitsMyNumber(permission: MyNumberPermission, route: string): boolean {
  return typeof permission === 'boolean' ? permission : permission.routes.includes(route);
}

/** The effective retry policy of a step. */
export function retryPolicyOf(step: StepSpec): RetryPolicy {
  return { ...defaultRetryPolicy, ...step.retry };
}

/** The delay before attempt `attempt + 1` after attempt `attempt` failed. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const raw = policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1);
  return Math.round(Math.min(policy.maxDelayMs, raw));
}

/** Every delay a policy can ask for, so the wait queues exist before they are needed. */
export function retryDelays(policy: RetryPolicy): number[] {
  const delays: number[] = [];
  for (let attempt = 1; attempt < policy.maxAttempts; attempt += 1)
    delays.push(retryDelayMs(policy, attempt));
  return delays;
}

/** Reads a JSON pointer (RFC 6901) from a parsed body; undefined when any segment is missing. */
export function readPointer(body: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return body;
  let node: unknown = body;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** An instant as ISO 8601 in Japan Standard Time (+09:00, no daylight saving). */
export function isoInJapan(instant: Date): string {
  const shifted = new Date(instant.getTime() + 9 * 3_600_000);
  return `${shifted.toISOString().slice(0, 23)}+09:00`;
}
