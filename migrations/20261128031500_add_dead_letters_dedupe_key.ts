import type { Knex } from 'knex';

/**
 * A dead letter redelivered to the archiver (it crashed after the commit, before the ack) must not be
 * stored twice: one unique key per (message id, step, dead-letter time), computed by the archiver.
 * Nullable so existing rows need no value; MySQL and SQLite both let NULLs repeat in a unique index.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dead_letters', (table) => {
    table.string('dedupe_key', 64).nullable();
    table.unique(['dedupe_key'], { indexName: 'dead_letters_dedupe_key' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dead_letters', (table) => {
    table.dropUnique(['dedupe_key'], 'dead_letters_dedupe_key');
    table.dropColumn('dedupe_key');
  });
}
