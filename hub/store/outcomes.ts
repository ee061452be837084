import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { loggerFor } from '../logger.js';
import type { BatchWriter } from './sqlite-writer.js';
import type { OutcomeRow, OutcomeWriter, ProcessedKey, ProcessedKeys } from './types.js';
import { maskText } from '../security/mask.js';

/** Longest business key stored as is; longer keys are stored as their SHA-256 (the column is varchar(255)). */
export const maxKeyLength = 255;
/** Longest `detail` stored; longer text is cut so one verbose row cannot fail a whole batch. */
export const maxDetailLength = 1000;

/** The key as stored in `processed_keys.key`: itself, or `sha256:<hex>` when longer than the column. */
export function storedKey(key: string): string {
  if (key.length <= maxKeyLength) return key;
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** Tuning and observation of the group commit. */
export interface WriterOptions {
  /** A batch is written as soon as it holds this many rows. */
  readonly batchMaxRows: number;
  /** …or this long after its first row was queued, whichever comes first. */
  readonly batchMaxDelayMs: number;
  /** Called with the size of every committed batch (the engine feeds a histogram). */
  readonly onBatch?: ((size: number) => void) | undefined;
  /** Writes batches elsewhere (SQLite: a writer thread) instead of through knex on this thread. */
  readonly batchWriter?: BatchWriter | undefined;
}

/**
 * A failed batch, described without the driver's error object: mysql2 attaches the SQL with its values
 * inlined (`err.sql`), and those values are business keys and ids that must not reach a log.
 */
export class OutcomeBatchError extends Error {
  /** The driver's error code (`ER_BAD_NULL_ERROR`, `SQLITE_CONSTRAINT_NOTNULL`, …). */
  readonly code: string | undefined;

  constructor(size: number, error: unknown) {
    const code =
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      typeof error.code === 'string'
        ? error.code
        : undefined;
    // knex prefixes the driver's message with the SQL (placeholders only: compileSqlOnError is off);
    // for a 200-row insert that is kilobytes of "?", so keep the driver's part.
    const text = error instanceof Error ? error.message : String(error);
    const driverText = (/^insert into .*? - (.*)$/s.exec(text)?.[1] ?? text).slice(0, 500);
    super(`Outcome batch of ${size} rows was not committed (${code ?? 'error'}): ${driverText}`);
    this.name = 'OutcomeBatchError';
    this.code = code;
  }
}

interface Pending {
  readonly row: OutcomeRow;
  readonly processed: ProcessedKey | undefined;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

// Rows per INSERT statement: 16 columns × 500 stays far below SQLite's 32766 bound parameters.
const rowsPerInsert = 500;

const log = loggerFor('store');

function validDate(value: unknown): boolean {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** Ids, types and details are stored masked: a My Number in metadata never rests in the clear (issue 13). */
function maskedOrNull(value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : maskText(value);
}

function outcomeRecord(row: OutcomeRow): Record<string, unknown> {
  return {
    message_id: maskText(row.messageId),
    message_type: maskText(row.messageType),
    route: row.route,
    step: row.step,
    outcome: row.outcome,
    attempt: row.attempt,
    received_at: row.receivedAt,
    finished_at: row.finishedAt,
    subject_hash: row.subjectHash ?? null,
    juminhyo_hash: row.juminhyoHash ?? null,
    my_number_hash: row.myNumberHash ?? null,
    correlation_id: maskedOrNull(row.correlationId),
    output_message_id: maskedOrNull(row.outputMessageId),
    reason_class: row.reasonClass ?? null,
    detail:
      row.detail === undefined || row.detail === null
        ? null
        : maskText(row.detail).slice(0, maxDetailLength),
  };
}

/**
 * Group commit: rows queue up and are written together, one transaction per batch, so the commit
 * (an fsync) is paid once per batch rather than once per message. A promise resolves only after the
 * transaction holding its row has committed; when a batch fails, every promise in it rejects.
 */
export class GroupCommitWriter implements OutcomeWriter {
  private readonly knex: Knex;
  private readonly options: WriterOptions;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;
  private closed = false;

  constructor(knex: Knex, options: WriterOptions) {
    this.knex = knex;
    this.options = options;
  }

  record(row: OutcomeRow, processed?: ProcessedKey): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The outcome writer is closed'));
    // Refused here rather than by the database, where it would fail every other row of its batch.
    if (!validDate(row.receivedAt) || !validDate(row.finishedAt)) {
      return Promise.reject(
        new TypeError(`Outcome of ${row.messageId}: receivedAt/finishedAt must be valid Dates`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, processed, resolve, reject });
      if (this.queue.length >= this.options.batchMaxRows) {
        this.kick();
      } else {
        // The delay counts from the first row of the batch: later rows do not push it back.
        this.timer ??= setTimeout(() => {
          this.kick();
        }, this.options.batchMaxDelayMs);
      }
    });
  }

  async flush(): Promise<void> {
    let firstError: Error | undefined;
    while (this.inFlight !== undefined || this.queue.length > 0) {
      this.kick();
      const result = await this.inFlight;
      if (result instanceof Error) firstError ??= result;
    }
    if (firstError !== undefined) throw firstError;
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.options.batchWriter?.close();
    }
  }

  /** Starts the next batch unless one is in flight (its completion starts the next). */
  private kick(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.batchMaxRows);
    this.inFlight = this.commit(batch).then((result) => {
      this.inFlight = undefined;
      // Rows that arrived during the commit have waited long enough: write them now.
      if (this.queue.length > 0) this.kick();
      return result;
    });
  }

  /** Writes one batch; settles its promises; resolves to the error instead of rejecting. */
  private async commit(batch: readonly Pending[]): Promise<Error | undefined> {
    const now = new Date();
    const outcomes = batch.map((pending) => outcomeRecord(pending.row));
    // Deduplicated here too: two messages with one key in one batch are one processed key.
    const keys = new Map<string, Record<string, unknown>>();
    for (const { processed } of batch) {
      if (processed === undefined) continue;
      const key = storedKey(processed.key);
      const id = JSON.stringify([processed.step, key]);
      if (!keys.has(id)) {
        keys.set(id, {
          step: processed.step,
          key,
          message_id: maskText(processed.messageId),
          processed_at: now,
        });
      }
    }
    try {
      const keyRows = [...keys.values()];
      if (this.options.batchWriter !== undefined) {
        await this.options.batchWriter.write(outcomes, keyRows);
      } else {
        await this.writeWithKnex(outcomes, keyRows);
      }
    } catch (error: unknown) {
      const failure = new OutcomeBatchError(batch.length, error);
      log.error(
        { err: failure, batchSize: batch.length },
        'outcome batch failed; its messages stay unacked',
      );
      for (const pending of batch) pending.reject(failure);
      return failure;
    }
    for (const pending of batch) pending.resolve();
    try {
      this.options.onBatch?.(batch.length);
    } catch (error: unknown) {
      log.warn({ err: error }, 'onBatch callback threw');
    }
    return undefined;
  }

  /** One transaction through knex (MySQL/MariaDB, and SQLite without a writer thread). */
  private async writeWithKnex(
    outcomes: readonly Record<string, unknown>[],
    keyRows: readonly Record<string, unknown>[],
  ): Promise<void> {
    await this.knex.transaction(async (trx) => {
      for (let start = 0; start < outcomes.length; start += rowsPerInsert) {
        await trx('message_outcomes').insert(outcomes.slice(start, start + rowsPerInsert));
      }
      for (let start = 0; start < keyRows.length; start += rowsPerInsert) {
        await trx('processed_keys')
          .insert(keyRows.slice(start, start + rowsPerInsert))
          .onConflict(['step', 'key'])
          .ignore();
      }
    });
  }
}

/** Committed processed keys: reads go through the pool, never through an open batch transaction. */
export class KnexProcessedKeys implements ProcessedKeys {
  private readonly knex: Knex;
  private readonly maxKeys: number;
  private pending: {
    step: string;
    key: string;
    resolve(found: boolean): void;
    reject(error: unknown): void;
  }[] = [];
  private scheduled = false;

  constructor(knex: Knex, options: { maxKeys?: number } = {}) {
    this.knex = knex;
    this.maxKeys = options.maxKeys ?? 200;
  }

  /**
   * Look-ups are grouped like commits: every key asked for in the same turn of the event loop goes
   * into one query, so a full prefetch window costs one round trip instead of one per message.
   */
  has(step: string, key: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ step, key: storedKey(key), resolve, reject });
      if (this.pending.length >= this.maxKeys) {
        this.lookUp();
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.lookUp();
        });
      }
    });
  }

  private lookUp(): void {
    const batch = this.pending.splice(0, this.maxKeys);
    if (batch.length === 0) return;
    const pairs = batch.map((entry) => [entry.step, entry.key]);
    this.knex('processed_keys')
      .select('step', 'key')
      .whereIn(['step', 'key'], pairs)
      .then((rows: { step: string; key: string }[]) => {
        const found = new Set(rows.map((row) => `${row.step}\u0000${row.key}`));
        for (const entry of batch) entry.resolve(found.has(`${entry.step}\u0000${entry.key}`));
      })
      .catch((error: unknown) => {
        for (const entry of batch) entry.reject(error);
      });
  }
}
