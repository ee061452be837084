/**
 * What `/metrics` reads from the store for the health view (issue 24 item 8): open dead letters per
 * route, and the ingest backlog per source system (outbox rows not yet published, dropped files not
 * yet finished). Counts only: no id, no payload.
 */
import type { Store } from './types.js';

/** Counts for the health gauges. */
export interface HealthCounts {
  /** Open (not replayed, not purged) dead letters by route; `''` for letters without a route. */
  readonly openDeadLetters: ReadonlyMap<string, number>;
  /** hub_outbox rows awaiting publication, by source system. */
  readonly outboxPending: ReadonlyMap<string, number>;
  /** Dropped files taken and not finished, by system. */
  readonly filesInProgress: ReadonlyMap<string, number>;
}

interface CountRow {
  key: unknown;
  n: unknown;
}

function toMap(rows: readonly CountRow[]): Map<string, number> {
  return new Map(rows.map((row) => [typeof row.key === 'string' ? row.key : '', Number(row.n)]));
}

/** Reads the health counts (three grouped counts). */
export async function healthCounts(store: Store): Promise<HealthCounts> {
  const { knex } = store;
  const [letters, outbox, files] = await Promise.all([
    knex('dead_letters')
      .select({ key: 'route' })
      .count({ n: '*' })
      .where('status', 'open')
      .groupBy('route') as Promise<CountRow[]>,
    knex('hub_outbox')
      .select({ key: 'source_system' })
      .count({ n: '*' })
      .whereNull('published_at')
      .groupBy('source_system') as Promise<CountRow[]>,
    knex('hub_ingest_files')
      .select({ key: 'system' })
      .count({ n: '*' })
      .whereNull('finished_at')
      .groupBy('system') as Promise<CountRow[]>,
  ]);
  return {
    openDeadLetters: toMap(letters),
    outboxPending: toMap(outbox),
    filesInProgress: toMap(files),
  };
}
