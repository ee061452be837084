/**
 * The one builder of dead-letter headers. Every path that dead-letters (the engine's steps, HTTP,
 * file drop, outbox, `hub publish`, the connectors' ingress) writes the same names from the same
 * facts, so the archiver, the replay and an operator see one format whatever the path. Callers add
 * their own facts (step, route, file name and line, ingest source) as `extra`; the failure headers
 * always win over a same-named extra (a carried header never masks why this message failed).
 */
import {
  HubError,
  ValidationError,
  reasonClassOf,
  reasonOf,
  schemaPathsHeader,
} from '../errors.js';

/** What every dead letter records. */
export interface DeadLetterFacts {
  /** Why: the reason class, the Japanese and English reason, the code and the schema paths. */
  readonly error: unknown;
  /** Where the message was going; a replay publishes it there again. */
  readonly originalExchange: string;
  readonly originalRoutingKey: string;
  readonly failedAt: Date;
}

/** The error code of a dead letter: the hub's code, else the error's type (never its text). */
export function deadLetterCode(error: unknown): string {
  return error instanceof HubError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}

/** The headers of a dead letter: `extra` first, then the failure headers. */
export function deadLetterHeaders(
  facts: DeadLetterFacts,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const reason = reasonOf(facts.error);
  return {
    ...extra,
    'x-hub-original-exchange': facts.originalExchange,
    'x-hub-original-routing-key': facts.originalRoutingKey,
    'x-hub-reason-class': reasonClassOf(facts.error),
    'x-hub-reason-ja': reason.ja,
    'x-hub-reason-en': reason.en,
    'x-hub-error-code': deadLetterCode(facts.error),
    'x-hub-failed-at': facts.failedAt.toISOString(),
    ...(facts.error instanceof ValidationError
      ? { 'x-hub-schema-paths': schemaPathsHeader(facts.error.issues) }
      : {}),
  };
}
