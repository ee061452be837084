import type { Knex } from 'knex';

/**
 * The transactional outbox (docs/publishing.md): a legacy system inserts a row in the same transaction
 * as its own change; the hub publishes it with confirms and sets `published_at`. Rows are never
 * deleted by the hub, so the table is also the hand-off record (連携記録) of when each row left.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('hub_outbox', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.bigIncrements('id').primary();
    table.string('message_type', 128).notNullable();
    // JSON text, not a JSON column: the original bytes go to the dead letter as written.
    if (mysql) table.specificType('payload', 'longtext').notNullable();
    else table.text('payload').notNullable();
    // Optional: the writer's own id (its retries then publish the same id); the hub fills a UUID.
    table.string('message_id', 255).nullable();
    table.string('correlation_id', 255).nullable();
    table.string('source_system', 32).notNullable();
    table
      .datetime('created_at', { precision: 3 })
      .notNullable()
      .defaultTo(mysql ? knex.fn.now(3) : knex.fn.now());
    table.datetime('published_at', { precision: 3 }).nullable();
    // published | dead-lettered, set together with published_at.
    table.string('outcome', 16).nullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.string('last_error', 500).nullable();
    // The poller's query: the oldest unpublished rows.
    table.index(['published_at', 'id'], 'hub_outbox_pending');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_outbox');
}
