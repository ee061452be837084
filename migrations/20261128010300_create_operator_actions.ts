import type { Knex } from 'knex';

/** Append-only audit log of what operators did (replay, purge, deploy), hash-chained so tampering shows. */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('operator_actions', (table) => {
    if (mysql) {
      // Ids and keys compare byte for byte, whatever the database's default collation.
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.bigIncrements('seq');
    table.datetime('at', { precision: 3 }).notNullable();
    table.string('actor', 128).notNullable();
    table.string('role', 32).notNullable();
    table.string('action', 64).notNullable();
    table.string('target', 255).nullable();
    table.text('reason').nullable();
    table.text('detail_json', 'mediumtext').nullable();
    // Hex SHA-256 of the previous row's hash and this row's content; the first row chains from a fixed seed.
    table.string('prev_hash', 64).notNullable();
    table.string('hash', 64).notNullable();
    table.unique(['hash'], { indexName: 'operator_actions_hash' });
    table.index(['at'], 'operator_actions_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('operator_actions');
}
