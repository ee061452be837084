import type { Knex } from 'knex';

/**
 * A deploy records what it deployed, not only what changed: the flows themselves (no personal data,
 * ≈ 20 KB) and their digest, so a start can tell whether the flows directory still holds what the
 * last deploy recorded, and compute what a change made behind the editor's back retired. Nullable:
 * rows written before this migration hold only the diff.
 *
 * `retired_step_queues` lists the step queues a deploy removed: they are unbound from hub.events at
 * once (so a type they took is never refused hub-wide by a full retired queue), but what they
 * already hold is kept until an operator drains it (`hub flows drain`). AMQP cannot list queues,
 * so the store remembers them for `/readyz`, `hub doctor` and the editor.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.alterTable('flow_deploys', (table) => {
    table.string('flows_sha256', 64).nullable();
    table.text('flows_json', 'longtext').nullable();
  });
  await knex.schema.createTable('retired_step_queues', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('queue', 255).primary();
    table.datetime('retired_at', { precision: 3 }).notNullable();
    table.bigInteger('deploy_id').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('retired_step_queues');
  await knex.schema.alterTable('flow_deploys', (table) => {
    table.dropColumn('flows_json');
    table.dropColumn('flows_sha256');
  });
}
