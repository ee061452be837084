import type { Knex } from 'knex';

/**
 * Message tracking by person (issue 24): each outcome row names the resident it is about by keyed
 * hashes (HMAC under the hub's key, purposes `trace.juminhyo` and `trace.my-number`) of the first
 * 住民票コード and 個人番号 in the message, never the values themselves. `hub trace --juminhyo-code`
 * and `--my-number` hash what the operator types under every key of the ring and look these up.
 * Plus a table of systems whose delivery is paused (maintenance window): every replica reads it.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.alterTable('message_outcomes', (table) => {
    table.string('juminhyo_hash', 64).nullable();
    table.string('my_number_hash', 64).nullable();
    table.index(['juminhyo_hash'], 'message_outcomes_juminhyo_hash');
    table.index(['my_number_hash'], 'message_outcomes_my_number_hash');
    table.index(['output_message_id'], 'message_outcomes_output_message_id');
  });
  await knex.schema.createTable('hub_system_pauses', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('system', 64).primary();
    table.string('paused_by', 128).notNullable();
    table.string('reason', 255).nullable();
    table.datetime('paused_at', { precision: 3 }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_system_pauses');
  await knex.schema.alterTable('message_outcomes', (table) => {
    table.dropIndex(['output_message_id'], 'message_outcomes_output_message_id');
    table.dropIndex(['my_number_hash'], 'message_outcomes_my_number_hash');
    table.dropIndex(['juminhyo_hash'], 'message_outcomes_juminhyo_hash');
    table.dropColumn('my_number_hash');
    table.dropColumn('juminhyo_hash');
  });
}
