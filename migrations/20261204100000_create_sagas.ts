import type { Knex } from 'knex';

/**
 * Sagas (issue 20, affair 7 特例転入 and any later multi-step case): one row per case with its
 * correlation id, where it stands and what it waits for; one row per step done (its time, the
 * attempts it took); one row per reply taken (unique per case and step, so a duplicate reply is
 * stored once). Every hub replica works from these rows with a lease claimed by one atomic UPDATE.
 * Residents are named by a keyed hash only; the reply bodies are what the next steps need.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('hub_sagas', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.increments('id').primary();
    table.string('correlation_id', 64).notNullable().unique();
    table.string('kind', 64).notNullable();
    table.string('subject_key', 64).notNullable();
    // RUNNING | WAITING | FAILED | DONE | CLOSED
    table.string('state', 8).notNullable();
    table.integer('step_index').notNullable();
    table.string('waiting_for', 64).nullable();
    table.string('due_on', 10).nullable();
    table.boolean('overdue').notNullable().defaultTo(false);
    table.integer('attempts').notNullable().defaultTo(0);
    table.string('error_en', 300).nullable();
    table.string('error_ja', 300).nullable();
    table.text('input_json').notNullable();
    table.string('lease_owner', 64).nullable();
    table.datetime('lease_until', { precision: 3 }).nullable();
    table.string('closed_reason', 300).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('updated_at', { precision: 3 }).notNullable();
    table.index(['state', 'lease_until']);
  });
  await knex.schema.createTable('hub_saga_steps', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.increments('id').primary();
    table.integer('saga_id').notNullable();
    table.integer('step_index').notNullable();
    table.string('step_id', 64).notNullable();
    table.integer('attempts').notNullable();
    table.datetime('done_at', { precision: 3 }).notNullable();
    table.unique(['saga_id', 'step_index']);
  });
  await knex.schema.createTable('hub_saga_replies', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.increments('id').primary();
    table.string('correlation_id', 64).notNullable();
    table.string('step_id', 64).notNullable();
    table.text('body_json').notNullable();
    table.datetime('received_at', { precision: 3 }).notNullable();
    table.unique(['correlation_id', 'step_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_saga_replies');
  await knex.schema.dropTable('hub_saga_steps');
  await knex.schema.dropTable('hub_sagas');
}
