/**
 * Systems whose delivery is paused (issue 24 item 8, a maintenance window): one row per paused
 * system in `hub_system_pauses`. Every replica's engine reads this table, so a pause made through one
 * replica (CLI, API or editor) holds the messages on all of them.
 */
import { readDate } from './index.js';
import type { Store } from './types.js';

/** One paused system: who paused it, when and why. */
export interface SystemPause {
  readonly system: string;
  readonly pausedBy: string;
  readonly reason: string | null;
  readonly pausedAt: Date;
}

/** The pause table. */
export interface SystemPauses {
  list(): Promise<SystemPause[]>;
  /** Pauses `system`; false when it was paused already (the first pause's who/why stay). */
  pause(system: string, by: string, reason: string | null): Promise<boolean>;
  /** Resumes `system`; false when it was not paused. */
  resume(system: string): Promise<boolean>;
}

const table = 'hub_system_pauses';

/** The pause table over the store. */
export function systemPausesOf(store: Store): SystemPauses {
  const { knex } = store;
  return {
    async list() {
      const rows = (await knex(table)
        .select('system', 'paused_by', 'reason', 'paused_at')
        .orderBy('system')) as Record<string, unknown>[];
      return rows.map((row) => ({
        system: String(row['system']),
        pausedBy: String(row['paused_by']),
        reason: typeof row['reason'] === 'string' ? row['reason'] : null,
        pausedAt: readDate(row['paused_at']),
      }));
    },
    async pause(system, by, reason) {
      const before = (await knex(table)
        .select('system')
        .where('system', system)
        .first()) as unknown;
      if (before !== undefined) return false;
      await knex(table)
        .insert({
          system,
          paused_by: by.slice(0, 128),
          reason: reason?.slice(0, 255) ?? null,
          paused_at: new Date(),
        })
        .onConflict('system')
        .ignore();
      return true;
    },
    async resume(system) {
      const removed = await knex(table).where('system', system).delete();
      return removed > 0;
    },
  };
}
