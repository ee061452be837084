import type { Knex } from 'knex';
import type { Claims } from './claims.js';

/** What happened to one message at one route step. */
export type Outcome =
  | 'published'
  | 'delivered'
  | 'replied'
  | 'duplicate'
  | 'retried'
  | 'dead-lettered'
  | 'expired'
  /** The step's transformer does not apply to this message (e.g. only 出生 requests a My Number). */
  | 'skipped';

/**
 * One row of message tracking. Never plaintext personal data: the subject is a keyed hash, `detail`
 * holds schema paths and error codes only.
 */
export interface OutcomeRow {
  readonly messageId: string;
  readonly messageType: string;
  readonly route: string;
  readonly step: string;
  readonly outcome: Outcome;
  readonly attempt: number;
  readonly receivedAt: Date;
  readonly finishedAt: Date;
  readonly subjectHash?: string | null;
  /** Keyed hashes (trace.juminhyo / trace.my-number) of the person the message is about. */
  readonly juminhyoHash?: string | null;
  readonly myNumberHash?: string | null;
  readonly correlationId?: string | null;
  readonly outputMessageId?: string | null;
  readonly reasonClass?: string | null;
  readonly detail?: string | null;
}

/** A business key a step has processed; a second message with the same key is a duplicate. */
export interface ProcessedKey {
  readonly step: string;
  readonly key: string;
  readonly messageId: string;
}

/** Writes outcome rows in batches (group commit): one transaction for many messages. */
export interface OutcomeWriter {
  /**
   * Queues the row (and the processed key, in the same transaction) and resolves once the batch that
   * holds it is committed. The engine acks only after this resolves.
   */
  record(row: OutcomeRow, processed?: ProcessedKey): Promise<void>;
  /** Commits whatever is queued. */
  flush(): Promise<void>;
  /** Flushes and stops accepting rows. */
  close(): Promise<void>;
}

/** Look-ups of processed business keys (idempotency). */
export interface ProcessedKeys {
  /** True when `key` was already processed by `step` (committed). */
  has(step: string, key: string): Promise<boolean>;
}

export type StoreKind = 'sqlite' | 'mysql';

/** The store: one interface over SQLite (embedded default) and MySQL/MariaDB (production). */
export interface Store {
  readonly kind: StoreKind;
  readonly knex: Knex;
  readonly outcomes: OutcomeWriter;
  readonly processed: ProcessedKeys;
  /** Claims on business keys across replicas (hub/store/claims.ts); without it a step does not claim. */
  readonly claims?: Claims;
  /** Round trip to the database; throws when it is unreachable. */
  ping(): Promise<void>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Flushes outcomes and closes the pool. */
  close(): Promise<void>;
}
