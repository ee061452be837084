import type { Knex } from 'knex';

/** Dead letters archived off the broker with their reason and encrypted original bytes, for operators to replay. */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('dead_letters', (table) => {
    if (mysql) {
      // Ids and keys compare byte for byte, whatever the database's default collation.
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.bigIncrements('id');
    table.string('message_id', 255).notNullable();
    table.string('message_type', 128).notNullable();
    table.string('route', 128).nullable();
    table.string('step', 128).nullable();
    table.string('original_exchange', 255).notNullable();
    table.string('original_routing_key', 255).notNullable();
    table.string('original_queue', 255).nullable();
    table.string('reason_class', 32).notNullable();
    table.text('reason_ja').notNullable();
    table.text('reason_en').notNullable();
    table.text('detail').nullable();
    table.integer('attempts').notNullable().defaultTo(0);
    // AMQP headers and properties as JSON, kept so a replay republishes the message as it was.
    table.text('headers_json', 'mediumtext').nullable();
    table.text('properties_json', 'mediumtext').nullable();
    // Original bytes, encrypted at rest; longblob because certificates and PDFs outgrow a 64 KiB blob.
    table.specificType('payload', 'longblob').notNullable();
    table.integer('payload_size').notNullable();
    table.string('key_id', 64).notNullable();
    table.string('correlation_id', 255).nullable();
    table.string('source_system', 64).nullable();
    table.string('subject_hash', 128).nullable();
    table.datetime('first_failed_at', { precision: 3 }).nullable();
    table.datetime('dead_lettered_at', { precision: 3 }).notNullable();
    table.datetime('archived_at', { precision: 3 }).notNullable();
    table.integer('replay_count').notNullable().defaultTo(0);
    table.datetime('replayed_at', { precision: 3 }).nullable();
    table.datetime('purged_at', { precision: 3 }).nullable();
    // open | replayed | purged; a string rather than an enum so a later state needs no table rebuild on SQLite.
    table.string('status', 16).notNullable().defaultTo('open');
    table.index(['message_id'], 'dead_letters_message_id');
    table.index(['status', 'dead_lettered_at'], 'dead_letters_status_dead_lettered_at');
    table.index(['dead_lettered_at'], 'dead_letters_dead_lettered_at');
    table.index(['step'], 'dead_letters_step');
    table.index(['message_type'], 'dead_letters_message_type');
    table.index(['reason_class'], 'dead_letters_reason_class');
    table.index(['correlation_id'], 'dead_letters_correlation_id');
    table.index(['source_system'], 'dead_letters_source_system');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dead_letters');
}
