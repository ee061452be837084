/**
 * The hub's error vocabulary. Every error the hub raises on purpose carries a stable code, a
 * disposition (what the engine does with the message that caused it) and an operator-facing reason in
 * Japanese and English. Messages never contain payload values: only ids, schema paths and names.
 */

/** What the engine does with a message whose processing raised the error. */
export type Disposition = 'retry' | 'dead-letter';

/** Why a message became a dead letter; stored with it and shown to operators. */
export type ReasonClass =
  'validation' | 'delivery_limit' | 'unroutable' | 'policy' | 'connector' | 'timeout' | 'internal';

/** A reason an operator can read, in both languages. */
export interface Reason {
  readonly ja: string;
  readonly en: string;
}

export interface HubErrorOptions extends ErrorOptions {
  readonly reasonClass?: ReasonClass;
  readonly reason?: Reason;
}

/** Base class: stable code, disposition and bilingual reason. */
export class HubError extends Error {
  readonly code: string;
  readonly disposition: Disposition;
  readonly reasonClass: ReasonClass;
  readonly reason: Reason;

  constructor(code: string, message: string, disposition: Disposition, options?: HubErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.disposition = disposition;
    this.reasonClass = options?.reasonClass ?? 'internal';
    this.reason = options?.reason ?? { ja: message, en: message };
  }
}

/** One schema violation: where (JSON pointer) and what, in both languages. */
export interface SchemaIssue {
  readonly path: string;
  readonly keyword: string;
  readonly ja: string;
  readonly en: string;
}

/**
 * Schema paths of issues as dead-letter headers and outcome rows carry them: `<pointer> <keyword>, …`
 * (never values), at most 1000 characters.
 */
export function schemaPathsHeader(issues: readonly SchemaIssue[]): string {
  return issues
    .map((issue) => `${issue.path || '/'} ${issue.keyword}`)
    .join(', ')
    .slice(0, 1000);
}

/** The message does not match its schema. Retrying cannot help: dead-letter at once. */
export class ValidationError extends HubError {
  readonly schemaId: string;
  readonly issues: readonly SchemaIssue[];

  constructor(schemaId: string, issues: readonly SchemaIssue[]) {
    const summary = issues
      .slice(0, 5)
      .map((issue) => `${issue.path || '/'}: ${issue.en}`)
      .join('; ');
    const summaryJa = issues
      .slice(0, 5)
      .map((issue) => `${issue.path || '/'}: ${issue.ja}`)
      .join('; ');
    super('HUB_INVALID_MESSAGE', `Message is not a valid ${schemaId}: ${summary}`, 'dead-letter', {
      reasonClass: 'validation',
      reason: {
        ja: `スキーマ ${schemaId} に適合しません: ${summaryJa}`,
        en: `Message is not a valid ${schemaId}: ${summary}`,
      },
    });
    this.schemaId = schemaId;
    this.issues = issues;
  }
}

/** An external system failed or refused. `retryable` decides the disposition. */
export class ConnectorError extends HubError {
  readonly connector: string;

  constructor(connector: string, message: string, retryable: boolean, options?: ErrorOptions) {
    super('HUB_CONNECTOR_FAILED', `${connector}: ${message}`, retryable ? 'retry' : 'dead-letter', {
      ...options,
      reasonClass: 'connector',
      reason: {
        ja: `連携先 ${connector} への送信に失敗しました: ${message}`,
        en: `Delivery to ${connector} failed: ${message}`,
      },
    });
    this.connector = connector;
  }
}

/** A temporary failure inside the hub (store busy, broker channel lost): retry. */
export class TransientError extends HubError {
  constructor(message: string, options?: ErrorOptions) {
    super('HUB_TRANSIENT', message, 'retry', {
      ...options,
      reasonClass: 'internal',
      reason: { ja: `一時的な障害: ${message}`, en: `Temporary failure: ${message}` },
    });
  }
}

/** A publish that no queue would take. Never dropped silently. */
export class UnroutableError extends HubError {
  readonly exchange: string;
  readonly routingKey: string;

  constructor(exchange: string, routingKey: string) {
    super(
      'HUB_UNROUTABLE',
      `No queue is bound for routing key "${routingKey}" on exchange "${exchange}"`,
      'dead-letter',
      {
        reasonClass: 'unroutable',
        reason: {
          ja: `配送先がありません（交換機 ${exchange}、ルーティングキー ${routingKey}）`,
          en: `Unroutable: no queue is bound for "${routingKey}" on "${exchange}"`,
        },
      },
    );
    this.exchange = exchange;
    this.routingKey = routingKey;
  }
}

/** The My Number policy forbids this message at this destination. Quarantine, never deliver. */
export class PolicyError extends HubError {
  constructor(message: string, reason: Reason) {
    super('HUB_POLICY_VIOLATION', message, 'dead-letter', { reasonClass: 'policy', reason });
  }
}

/** A reply did not arrive before its deadline. */
export class DeadlineError extends HubError {
  constructor(message: string, options?: ErrorOptions) {
    super('HUB_DEADLINE_EXCEEDED', message, 'dead-letter', {
      ...options,
      reasonClass: 'timeout',
      reason: { ja: `応答期限を過ぎました: ${message}`, en: `Deadline exceeded: ${message}` },
    });
  }
}

/** A transformer refused its input (for example an invariant failed). Retrying cannot help. */
export class TransformError extends HubError {
  constructor(transformer: string, message: string, options?: ErrorOptions) {
    super('HUB_TRANSFORM_FAILED', `${transformer}: ${message}`, 'dead-letter', {
      ...options,
      reasonClass: 'validation',
      reason: {
        ja: `変換 ${transformer} に失敗しました: ${message}`,
        en: `Transformer ${transformer} failed: ${message}`,
      },
    });
  }
}

/** A configuration value is wrong. Names the variable and what is wrong; fails start-up. */
export class ConfigError extends HubError {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super('HUB_CONFIG_INVALID', `${variable}: ${problem}`, 'dead-letter');
    this.variable = variable;
  }
}

/** Unknown errors are bugs or passing faults: retry a few times, then dead-letter. */
export function dispositionOf(error: unknown): Disposition {
  return error instanceof HubError ? error.disposition : 'retry';
}

/** The reason class an error dead-letters under. */
export function reasonClassOf(error: unknown): ReasonClass {
  return error instanceof HubError ? error.reasonClass : 'internal';
}

/** The bilingual reason for an error; unknown errors name only their type, never their text. */
export function reasonOf(error: unknown): Reason {
  if (error instanceof HubError) return error.reason;
  const kind = error instanceof Error ? error.name : typeof error;
  return { ja: `内部エラー (${kind})`, en: `Internal error (${kind})` };
}
