import type { Knex } from 'knex';

/** History of flow deploys from the editor: who changed the routing, when, and what changed. */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('flow_deploys', (table) => {
    if (mysql) {
      // Ids and keys compare byte for byte, whatever the database's default collation.
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.bigIncrements('id');
    table.datetime('at', { precision: 3 }).notNullable();
    table.string('actor', 128).notNullable();
    table.string('summary', 1000).notNullable();
    table.text('diff_json', 'longtext').nullable();
    table.index(['at'], 'flow_deploys_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('flow_deploys');
}
