import type { Knex } from 'knex';

/** Idempotency: business keys each step has processed, so a redelivered or repeated message is a duplicate. */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('processed_keys', (table) => {
    if (mysql) {
      // Ids and keys compare byte for byte, whatever the database's default collation.
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('step', 128).notNullable();
    // Keys longer than 255 characters are stored as their SHA-256 (hub/store/outcomes.ts).
    table.string('key', 255).notNullable();
    table.string('message_id', 255).notNullable();
    table.datetime('processed_at', { precision: 3 }).notNullable();
    table.primary(['step', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('processed_keys');
}
