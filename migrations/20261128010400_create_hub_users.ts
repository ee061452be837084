import type { Knex } from 'knex';

/** People who may sign in to the flow editor and operator API, with their role. */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('hub_users', (table) => {
    if (mysql) {
      // Ids and keys compare byte for byte, whatever the database's default collation.
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('username', 64).notNullable().primary();
    table.string('password_hash', 255).notNullable();
    table.string('role', 32).notNullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.boolean('disabled').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_users');
}
