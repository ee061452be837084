import type { Knex } from 'knex';

/**
 * 法務省通知 sequencing (affair 4), shared by every hub replica and kept across restarts: the next
 * sequence number each stream expects, when a gap opened and whether its alert was raised
 * (`hub_moj_sequence`), and the notices held behind a gap, sealed under the hub's key
 * (`hub_moj_held`). The primary keys make a duplicate sequence number a no-op.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('hub_moj_sequence', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('stream', 32).notNullable().primary();
    table.bigInteger('next_seq').notNullable();
    table.datetime('gap_since', { precision: 3 }).nullable();
    table.datetime('gap_alerted_at', { precision: 3 }).nullable();
    table.datetime('updated_at', { precision: 3 }).notNullable();
  });
  await knex.schema.createTable('hub_moj_held', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('stream', 32).notNullable();
    table.bigInteger('seq').notNullable();
    table.string('body_sha256', 64).notNullable();
    table.string('key_id', 64).notNullable();
    table.text('sealed', 'mediumtext').notNullable();
    table.datetime('held_at', { precision: 3 }).notNullable();
    table.primary(['stream', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_moj_held');
  await knex.schema.dropTable('hub_moj_sequence');
}
