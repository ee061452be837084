/**
 * The rows of the operator log (`operator_actions`). The chain itself (HMACs, verification, what a
 * row says) is the audit module's; this repository holds the SQL and, above all, the transactions
 * that keep the chain from forking: the next row is built from the newest one inside the transaction
 * that inserts it, and a re-chain rewrites every row inside one.
 */
import type { Knex } from 'knex';
import { readDate } from './index.js';
import type { Store } from './types.js';

/** One stored row, as read back. */
export interface ActionRow {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly target: string | null;
  readonly reason: string | null;
  readonly detailJson: string | null;
  readonly prevHash: string;
  readonly hash: string;
  /** The key whose audit subkey made `hash`; null for rows chained before the log was keyed. */
  readonly keyId: string | null;
}

/** A row's new link in a re-chained log. */
export interface ActionLink {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly keyId: string;
}

/** The operator log's rows. */
export interface OperatorActions {
  /**
   * In one transaction: reads the newest row (locked on MySQL; SQLite's write transaction serialises
   * anyway), lets `next` build the row that follows it, and inserts that row. A lost race surfaces
   * as a duplicate-key (or deadlock / busy) error from the insert, never as a fork.
   */
  appendAfterLast(next: (last: ActionRow | undefined) => ActionRow): Promise<ActionRow>;
  /** Rows in chain order, optionally one action only and only the newest `limit`. */
  list(options?: { limit?: number; action?: string }): Promise<ActionRow[]>;
  /** Every row in chain order. */
  all(): Promise<ActionRow[]>;
  /** The newest row. */
  last(): Promise<ActionRow | undefined>;
  /**
   * In one transaction: reads every row (locked on MySQL), lets `relink` compute the new links (it may
   * throw to change nothing), and rewrites each row's prev_hash, hash and key id.
   */
  rechain<T>(
    relink: (rows: ActionRow[]) => { links: readonly ActionLink[]; result: T },
  ): Promise<T>;
}

const table = 'operator_actions';

interface RawRow {
  seq: number | string;
  at: unknown;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  reason: string | null;
  detail_json: string | null;
  prev_hash: string;
  hash: string;
  key_id?: string | null;
}

function fromRaw(raw: RawRow): ActionRow {
  return {
    seq: Number(raw.seq),
    at: readDate(raw.at),
    actor: raw.actor,
    role: raw.role,
    action: raw.action,
    target: raw.target,
    reason: raw.reason,
    detailJson: raw.detail_json,
    prevHash: raw.prev_hash,
    hash: raw.hash,
    keyId: raw.key_id ?? null,
  };
}

/** The repository over the store. */
export function operatorActions(store: Store): OperatorActions {
  const { knex } = store;
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';

  async function allRows(db: Knex | Knex.Transaction, lock = false): Promise<ActionRow[]> {
    const query = db(table).select('*').orderBy('seq', 'asc');
    return ((await (lock && mysql ? query.forUpdate() : query)) as RawRow[]).map(fromRaw);
  }

  return {
    appendAfterLast(next) {
      return knex.transaction(async (trx) => {
        // MySQL: the row lock on the newest entry serialises appenders; SQLite: the write transaction
        // does. Either way the explicit seq (primary key) makes a lost race a duplicate-key error, never
        // a second row claiming the same predecessor.
        const query = trx(table).orderBy('seq', 'desc').first();
        const last = (await (mysql ? query.forUpdate() : query)) as RawRow | undefined;
        const row = next(last === undefined ? undefined : fromRaw(last));
        await trx(table).insert({
          key_id: row.keyId,
          seq: row.seq,
          at: row.at,
          actor: row.actor,
          role: row.role,
          action: row.action,
          target: row.target,
          reason: row.reason,
          detail_json: row.detailJson,
          prev_hash: row.prevHash,
          hash: row.hash,
        });
        return row;
      });
    },
    async list(options = {}) {
      let query = knex(table).select('*');
      if (options.action !== undefined) query = query.where('action', options.action);
      if (options.limit !== undefined) {
        const rows = (await query.orderBy('seq', 'desc').limit(options.limit)) as RawRow[];
        return rows.map(fromRaw).reverse();
      }
      return ((await query.orderBy('seq', 'asc')) as RawRow[]).map(fromRaw);
    },
    all() {
      return allRows(knex);
    },
    async last() {
      const last = (await knex(table).orderBy('seq', 'desc').first()) as RawRow | undefined;
      return last === undefined ? undefined : fromRaw(last);
    },
    rechain(relink) {
      return knex.transaction(async (trx) => {
        const rows = await allRows(trx, true);
        const { links, result } = relink(rows);
        // Hashes are unique: move them out of the way first, then write the new chain.
        await trx(table).update({
          hash: trx.raw(mysql ? "CONCAT('~', seq)" : "'~' || seq"),
        });
        for (const link of links) {
          await trx(table)
            .where('seq', link.seq)
            .update({ prev_hash: link.prevHash, hash: link.hash, key_id: link.keyId });
        }
        return result;
      });
    },
  };
}
