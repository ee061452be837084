import type { Knex } from 'knex';
import { openStore } from './index.js';

/** What `hub migrate` did: migrations applied now, and every migration the database has. */
export interface MigrateResult {
  readonly applied: string[];
  readonly current: string[];
}

async function completed(knex: Knex): Promise<string[]> {
  const [done] = (await knex.migrate.list()) as [{ name: string }[], unknown[]];
  return done.map((migration) => migration.name);
}

/** `hub migrate`: applies pending migrations (creating the database if missing) and lists the result. */
export async function migrateCommand(dbUrl: string): Promise<MigrateResult> {
  const store = await openStore(dbUrl, { migrate: false });
  try {
    const applied = await store.migrate();
    return { applied, current: await completed(store.knex) };
  } finally {
    await store.close();
  }
}

/** Rolls every migration back, newest first (tests prove `down` reverses `up`); returns the names. */
export async function rollbackAll(dbUrl: string): Promise<string[]> {
  const store = await openStore(dbUrl, { migrate: false });
  try {
    const [, rolledBack] = (await store.knex.migrate.rollback(undefined, true)) as [
      number,
      string[],
    ];
    return rolledBack;
  } finally {
    await store.close();
  }
}
