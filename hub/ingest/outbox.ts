/**
 * The transactional outbox poller. A legacy system inserts rows into `hub_outbox` in the same
 * transaction as its own change; the hub publishes each row with confirms and marks it. On
 * MySQL/MariaDB a batch is claimed with `SELECT … FOR UPDATE SKIP LOCKED` inside a transaction that
 * stays open until the rows are marked, so any number of hub replicas poll the same table and no row
 * is published by two of them. On SQLite (one hub, one file) a plain transaction is enough.
 */
import { v5 as uuidv5 } from 'uuid';
import { reasonOf } from '../errors.js';
import { loggerFor } from '../logger.js';
import { outbox, type OutboxRow, type OutboxSettlement } from '../store/outbox.js';
import type { Store } from '../store/types.js';
import type { Ingest, IngestResult } from './publish.js';

export type { OutboxRow } from '../store/outbox.js';

/** Namespace of the ids of rows written without a message_id: UUID v5 of `outbox:<id>`. */
export const OUTBOX_NAMESPACE = '9a0e6c2b-1f4d-4e8a-b7c3-2d5f8e1a6b94';

/** Options of the outbox poller. */
export interface OutboxOptions {
  readonly store: Store;
  readonly ingest: Ingest;
  /** Milliseconds between polls when the table is drained. */
  readonly pollMs: number;
  /** Rows claimed per transaction (default 200). */
  readonly batchSize?: number;
}

/** A running poller. */
export interface OutboxPoller {
  /** Claims and publishes one batch; resolves with the number of rows settled. */
  pollOnce(): Promise<number>;
  stop(): Promise<void>;
}

const log = loggerFor('ingest-outbox');

/** The message id of an outbox row: the writer's own, else derived from the row id. */
export function outboxMessageId(row: Pick<OutboxRow, 'id' | 'message_id'>): string {
  return row.message_id ?? uuidv5(`outbox:${String(row.id)}`, OUTBOX_NAMESPACE);
}

/** Starts polling at once; `pollMs` 0 means only `pollOnce` by hand (tests, `hub` tools). */
export function startOutboxPoller(options: OutboxOptions): OutboxPoller {
  const { ingest } = options;
  const rowsOf = outbox(options.store);
  const batchSize = options.batchSize ?? 200;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function publishClaimed(rows: OutboxRow[], settle: OutboxSettlement): Promise<number> {
    if (rows.length === 0) return 0;
    const settled = await Promise.allSettled(
      rows.map((row) =>
        ingest.submit({
          messageType: row.message_type,
          content: Buffer.from(row.payload, 'utf8'),
          messageId: outboxMessageId(row),
          correlationId: row.correlation_id ?? undefined,
          system: row.source_system,
          source: 'outbox',
          headers: { 'x-hub-outbox-id': row.id },
        }),
      ),
    );
    const now = new Date();
    const published: number[] = [];
    for (const [index, outcome] of settled.entries()) {
      const row = rows[index];
      if (row === undefined) continue;
      if (outcome.status === 'fulfilled') {
        const result: IngestResult = outcome.value;
        if (result.status === 'published') {
          published.push(row.id);
        } else {
          // Rejected rows are settled too: dead-lettered with their bytes, never retried forever.
          await settle.deadLettered(
            row,
            now,
            result.status === 'rejected'
              ? result.error.reason.en.slice(0, 500)
              : 'unroutable: no route takes this message type',
          );
        }
      } else {
        await settle.failed(row, reasonOf(outcome.reason).en.slice(0, 500));
      }
    }
    // attempts is informational for published rows; counting it would need one update per row.
    await settle.published(published, now);
    const failed = settled.filter((outcome) => outcome.status === 'rejected').length;
    if (failed > 0) {
      log.warn(
        { failed, claimed: rows.length },
        'outbox rows not published; retried at the next poll / 次回再試行します',
      );
    }
    return rows.length - failed;
  }

  async function pollOnce(): Promise<number> {
    running ??= (async () => {
      try {
        return await rowsOf.claim(batchSize, publishClaimed);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const loop = (): void => {
    if (stopped || options.pollMs === 0) return;
    pollOnce()
      .catch((error: unknown) => {
        log.warn(
          { errorType: error instanceof Error ? error.name : typeof error },
          'outbox poll failed / アウトボックスの確認に失敗しました',
        );
        return 0;
      })
      .then((count) => {
        if (stopped) return;
        // A full batch means more are waiting: poll again at once.
        timer = setTimeout(loop, count >= batchSize ? 0 : options.pollMs);
      })
      .catch(() => undefined);
  };
  loop();

  return {
    pollOnce,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
