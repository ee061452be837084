import type { Knex } from 'knex';

/**
 * The operator log's chain becomes keyed: each row's `hash` is an HMAC under a key derived from the
 * hub's secret key (which the database does not hold), and `key_id` names that key so the chain
 * verifies across key rotations. Rows written before this (no key id) were chained with a plain
 * SHA-256 that anyone with write access could recompute: `hub audit verify` refuses them until
 * `hub audit rekey` has re-anchored the log under the key (recording the old head in the log).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('operator_actions', (table) => {
    table.string('key_id', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('operator_actions', (table) => {
    table.dropColumn('key_id');
  });
}
