import type { Knex } from 'knex';

/**
 * A dead letter whose stored payload cannot be decrypted (its key is gone, a byte was damaged) is an
 * error of that one letter: it is flagged here, with when and why (a key id and a short cause, never
 * content), so lists and views show it and replays skip it instead of failing a whole run. The flag
 * clears itself when the payload can be read again (the key was put back).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dead_letters', (table) => {
    table.datetime('unreadable_at', { precision: 3 }).nullable();
    table.string('unreadable_reason', 255).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dead_letters', (table) => {
    table.dropColumn('unreadable_reason');
    table.dropColumn('unreadable_at');
  });
}
