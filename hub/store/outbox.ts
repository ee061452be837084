/**
 * The transactional outbox (`hub_outbox`). A batch is claimed inside a transaction that stays open
 * until its rows are settled: on MySQL/MariaDB with `SELECT … FOR UPDATE SKIP LOCKED`, so any number of
 * hub replicas poll the same table and no row is published by two of them; on SQLite (one hub, one
 * file) the plain transaction is enough. What publishing a row means is the ingest module's.
 */
import type { Store } from './types.js';

/** One row of `hub_outbox` as the poller reads it. */
export interface OutboxRow {
  readonly id: number;
  readonly message_type: string;
  readonly payload: string;
  readonly message_id: string | null;
  readonly correlation_id: string | null;
  readonly source_system: string;
  readonly attempts: number;
}

/** Settles claimed rows, inside the claiming transaction. */
export interface OutboxSettlement {
  /** Rejected or unroutable: settled as dead-lettered (never retried forever). */
  deadLettered(row: OutboxRow, at: Date, error: string): Promise<void>;
  /** Not published this time: stays pending, its attempt and error counted. */
  failed(row: OutboxRow, error: string): Promise<void>;
  /** Published (attempts is informational for these; not counted). */
  published(ids: readonly number[], at: Date): Promise<void>;
}

/** The outbox repository. */
export interface Outbox {
  /**
   * In one transaction: claims up to `batchSize` unpublished rows (oldest first; locked and skipping
   * rows other replicas hold on MySQL) and hands them to `work`, which settles them; commits when
   * `work` resolves.
   */
  claim<T>(
    batchSize: number,
    work: (rows: OutboxRow[], settle: OutboxSettlement) => Promise<T>,
  ): Promise<T>;
}

const table = 'hub_outbox';

/** The repository over the store. */
export function outbox(store: Store): Outbox {
  const { knex } = store;
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  return {
    claim(batchSize, work) {
      return knex.transaction(async (trx) => {
        let query = trx<OutboxRow>(table)
          .select(
            'id',
            'message_type',
            'payload',
            'message_id',
            'correlation_id',
            'source_system',
            'attempts',
          )
          .whereNull('published_at')
          .orderBy('id')
          .limit(batchSize);
        if (mysql) query = query.forUpdate().skipLocked();
        const rows = (await query) as OutboxRow[];
        return work(rows, {
          async deadLettered(row, at, error) {
            await trx(table)
              .where({ id: row.id })
              .update({
                published_at: at,
                outcome: 'dead-lettered',
                attempts: row.attempts + 1,
                last_error: error,
              });
          },
          async failed(row, error) {
            await trx(table)
              .where({ id: row.id })
              .update({ attempts: row.attempts + 1, last_error: error });
          },
          async published(ids, at) {
            for (let start = 0; start < ids.length; start += 500) {
              await trx(table)
                .whereIn('id', ids.slice(start, start + 500))
                // Published and confirmed: the row's content now lives in the broker, so the copy
                // here is erased (nothing personal kept in plaintext at rest). A dead-lettered row
                // keeps its payload: an oversized record's dead letter holds no content of its own.
                .update({ published_at: at, outcome: 'published', payload: '' });
            }
          },
        });
      });
    },
  };
}
