import type { Knex } from 'knex';

/** Per-system bearer tokens for ingest (HTTP), stored only as SHA-256 hashes; revocable. */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('system_tokens', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('token_id', 16).notNullable().primary();
    table.string('system', 32).notNullable();
    table.string('token_hash', 64).notNullable().unique();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('revoked_at', { precision: 3 }).nullable();
    table.index(['system']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('system_tokens');
}
