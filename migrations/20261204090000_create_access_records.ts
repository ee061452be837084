import type { Knex } from 'knex';

/**
 * The access record (issue 19): every 本人確認情報 search, 情報照会 and counter issuance — who (the
 * signed-in operator), which terminal, which 事務 (purpose), when, what was searched (keyed hashes
 * only, never plaintext), the result (answered, not found, timed out, refused) and how many records
 * were shown. An auditor reads it per day (`hub audit access`, `GET /api/audit/access`).
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('access_records', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.bigIncrements('id');
    table.string('request_id', 64).notNullable();
    table.string('affair', 16).notNullable();
    table.string('action', 32).notNullable();
    table.string('operator', 64).notNullable();
    table.string('terminal', 64).notNullable();
    table.string('purpose', 64).notNullable();
    table.string('criteria_kind', 32).notNullable();
    table.text('criteria_hashes').notNullable();
    table.string('source', 16).nullable();
    table.string('result', 32).notNullable();
    table.integer('result_count').notNullable();
    table.datetime('at', { precision: 3 }).notNullable();
    table.unique(['request_id', 'action'], { indexName: 'access_records_request_action' });
    table.index(['at'], 'access_records_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('access_records');
}
