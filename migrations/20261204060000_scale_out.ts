import type { Knex } from 'knex';

/**
 * Scale-out (issue 22): what several hub replicas share through the store.
 *
 * - `flow_deploys.base_version`: the flows version (deploy row id) a deploy was made on. Unique, so
 *   two deploys made on the same version — two integrators at once, on one replica or two — cannot
 *   both be recorded: the second insert fails and its deploy answers "conflict". Null on rows
 *   written before this migration (NULLs never collide on SQLite or MariaDB).
 * - `message_claims`: a replica claims a step's business key before applying a message (a unique
 *   insert), so two replicas holding copies of one message never both apply it. The lease lets
 *   another replica take over the key of a replica that died holding it.
 * - `hub_replicas`: one heartbeat row per replica (host, process, flows version, broker node), for
 *   `hub doctor` and `/readyz`.
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.alterTable('flow_deploys', (table) => {
    table.bigInteger('base_version').nullable();
    table.unique(['base_version'], { indexName: 'flow_deploys_base_version' });
  });
  await knex.schema.createTable('message_claims', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('step', 128).notNullable();
    // The same stored form as processed_keys.key (hub/store/outcomes.ts storedKey).
    table.string('key', 255).notNullable();
    table.string('owner', 160).notNullable();
    table.datetime('claimed_at', { precision: 3 }).notNullable();
    table.datetime('lease_until', { precision: 3 }).notNullable();
    table.primary(['step', 'key']);
    table.index(['claimed_at'], 'message_claims_claimed_at');
  });
  await knex.schema.createTable('hub_replicas', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.string('replica_id', 64).primary();
    table.string('host', 255).notNullable();
    table.integer('pid').notNullable();
    table.bigInteger('flows_version').nullable();
    table.string('broker_node', 255).nullable();
    table.datetime('started_at', { precision: 3 }).notNullable();
    table.datetime('seen_at', { precision: 3 }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_replicas');
  await knex.schema.dropTable('message_claims');
  await knex.schema.alterTable('flow_deploys', (table) => {
    table.dropUnique(['base_version'], 'flow_deploys_base_version');
    table.dropColumn('base_version');
  });
}
