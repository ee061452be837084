import type { Knex } from 'knex';

/** Message tracking: what happened to each message at each route step, written in group-commit batches. */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('message_outcomes', (table) => {
    if (mysql) {
      // Ids and keys compare byte for byte, whatever the database's default collation.
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.bigIncrements('id');
    table.string('message_id', 255).notNullable();
    table.string('message_type', 128).notNullable();
    table.string('route', 128).notNullable();
    table.string('step', 128).notNullable();
    table.string('outcome', 32).notNullable();
    table.integer('attempt').notNullable();
    table.datetime('received_at', { precision: 3 }).notNullable();
    table.datetime('finished_at', { precision: 3 }).notNullable();
    table.string('subject_hash', 128).nullable();
    table.string('correlation_id', 255).nullable();
    table.string('output_message_id', 255).nullable();
    table.string('reason_class', 32).nullable();
    table.string('detail', 1000).nullable();
    table.index(['message_id'], 'message_outcomes_message_id');
    table.index(['step', 'finished_at'], 'message_outcomes_step_finished_at');
    table.index(['correlation_id'], 'message_outcomes_correlation_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('message_outcomes');
}
