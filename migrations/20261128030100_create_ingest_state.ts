import type { Knex } from 'knex';

/**
 * Ingest state that must hold across restarts and replicas: HTTP idempotency keys, and the progress
 * of each dropped file (so a crash mid-file resumes after the last committed line).
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('hub_ingest_keys', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('system', 32).notNullable();
    table.string('idempotency_key', 255).notNullable();
    table.string('message_type', 128).notNullable();
    table.string('body_sha256', 64).notNullable();
    table.string('message_id', 255).notNullable();
    // pending (taken, not yet confirmed) | published | rejected
    table.string('state', 16).notNullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.primary(['system', 'idempotency_key']);
  });
  await knex.schema.createTable('hub_ingest_files', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('file_sha256', 64).notNullable().primary();
    table.string('system', 32).notNullable();
    table.string('file_name', 255).notNullable();
    table.string('layout', 64).notNullable();
    // The last line whose record is published or dead-lettered (confirmed); 0 = none yet.
    table.integer('last_line').notNullable().defaultTo(0);
    table.integer('published').notNullable().defaultTo(0);
    table.integer('dead_lettered').notNullable().defaultTo(0);
    // JSON array of dead-lettered line numbers (for the archive summary).
    table.text('dead_lines').notNullable();
    table.datetime('started_at', { precision: 3 }).notNullable();
    table.datetime('finished_at', { precision: 3 }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_ingest_files');
  await knex.schema.dropTable('hub_ingest_keys');
}
