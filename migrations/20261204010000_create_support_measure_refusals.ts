import type { Knex } from 'knex';

/**
 * The 支援措置 audit of refused certificates: who asked (request id, keyed hash of the requesting
 * card's subject), when, for whom (keyed hash of the 宛名番号) and which rule. No plaintext personal
 * data; the hashes are HMACs under the hub's key (hub/support-measures/audit.ts).
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('support_measure_refusals', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.bigIncrements('id');
    table.string('message_id', 255).notNullable();
    table.string('channel', 16).notNullable();
    table.string('request_id', 64).notNullable();
    table.string('requester_hash', 64).notNullable();
    table.string('subject_hash', 64).nullable();
    table.string('certificate_type', 32).nullable();
    table.string('rule', 64).notNullable();
    table.datetime('refused_at', { precision: 3 }).notNullable();
    table.datetime('recorded_at', { precision: 3 }).notNullable();
    table.unique(['message_id'], { indexName: 'support_measure_refusals_message_id' });
    table.index(['subject_hash', 'refused_at'], 'support_measure_refusals_subject');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('support_measure_refusals');
}
