import type { Knex } from 'knex';

/**
 * 転入通知 deadlines (issue 17): one row per recorded 転出 awaiting the 転入通知 from the new
 * municipality. Every hub replica scans the open rows; a replica claims a due row with a lease
 * (an atomic UPDATE), raises `move-in.notice.overdue` and marks it raised. The resident is named by
 * a keyed hash of the 住民票コード and the 宛名番号 only (no name, no address, no 個人番号).
 */
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
  await knex.schema.createTable('hub_move_in_deadlines', (table) => {
    if (mysql) {
      table.charset('utf8mb4');
      table.collate('utf8mb4_bin');
    }
    table.increments('id').primary();
    table.string('lg_code', 6).notNullable();
    // Keyed hash (hex) of the 住民票コード: matches the notice that closes the row.
    table.string('subject_key', 64).notNullable();
    table.string('atena_number', 15).notNullable();
    table.integer('history_no').notNullable();
    table.string('planned_move_out_on', 10).notNullable();
    table.string('destination_lg_code', 6).nullable();
    // The last business day a notice may arrive on; overdue from the next day.
    table.string('due_on', 10).notNullable();
    // OPEN | CLOSED (the notice arrived) | RAISED (overdue event published)
    table.string('state', 8).notNullable();
    table.string('lease_owner', 64).nullable();
    table.datetime('lease_until', { precision: 3 }).nullable();
    // noticeIssuedAt of the latest notice applied (a resend older than this is superseded).
    table.string('latest_notice_at', 40).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('settled_at', { precision: 3 }).nullable();
    table.unique(['lg_code', 'subject_key', 'history_no']);
    table.index(['state', 'due_on']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hub_move_in_deadlines');
}
