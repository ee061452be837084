/**
 * The operator log: every operator action (unmasked view, replay, purge, edit) as one append-only row
 * of `operator_actions`, hash-chained so that an altered, inserted or deleted row shows. The hash is
 * SHA-256 over the previous row's hash and the canonical JSON of the row's own content (sorted keys,
 * dates as ISO strings), so a verifier needs nothing but the table.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { loggerFor } from '../logger.js';
import { readDate } from '../store/index.js';

/** The `prev_hash` of the first row: a fixed seed, so the chain has a known start. */
export const GENESIS_HASH = '0'.repeat(64);

/** The actions the log records. */
export type OperatorAction =
  | 'dead-letter.unmask'
  | 'dead-letter.replay'
  | 'dead-letter.edit'
  | 'dead-letter.purge'
  | 'keys.rotate'
  | 'flows.drain';

/** Who did what to what, and why. `detail` holds ids and counts only, never payload values. */
export interface ActionEntry {
  readonly actor: string;
  readonly role: string;
  readonly action: OperatorAction;
  readonly target?: string | null | undefined;
  readonly reason?: string | null | undefined;
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
}

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
}

/** The verdict of `verify`: OK, or the first row where the chain breaks and why. */
export type VerifyResult =
  | { readonly ok: true; readonly rows: number; readonly lastHash: string }
  | {
      readonly ok: false;
      readonly rows: number;
      readonly seq: number;
      readonly problem: 'altered' | 'missing' | 'reordered';
      readonly en: string;
      readonly ja: string;
    };

/** The operator log over the store's knex. */
export interface OperatorLog {
  /** Appends one action; concurrent appenders (threads or processes) never fork the chain. */
  append(entry: ActionEntry): Promise<ActionRow>;
  /** Rows in chain order, optionally only the newest `limit`. */
  list(options?: { limit?: number; action?: string }): Promise<ActionRow[]>;
  /** Walks the whole chain from the seed. */
  verify(): Promise<VerifyResult>;
}

const log = loggerFor('audit');
const table = 'operator_actions';

/** JSON with object keys sorted at every depth: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
    return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/** The hash of a row: SHA-256 over the previous hash and the row's canonical content. */
export function rowHash(prevHash: string, row: Omit<ActionRow, 'hash' | 'prevHash'>): string {
  const content = canonicalJson({
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    role: row.role,
    action: row.action,
    target: row.target,
    reason: row.reason,
    detail: row.detailJson,
  });
  return createHash('sha256').update(prevHash, 'utf8').update(content, 'utf8').digest('hex');
}

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
  };
}

/** A write lost a race with another appender (same seq or hash, or a deadlock): try again. */
function isConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'ER_DUP_ENTRY' ||
    code === 'ER_LOCK_DEADLOCK' ||
    code === 'ER_LOCK_WAIT_TIMEOUT' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_BUSY'
  );
}

/** Creates the operator log on a migrated store's knex. */
export function createOperatorLog(knex: Knex, clock: () => Date = () => new Date()): OperatorLog {
  const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';

  async function appendOnce(entry: ActionEntry): Promise<ActionRow> {
    return knex.transaction(async (trx) => {
      // MySQL: the row lock on the newest entry serialises appenders; SQLite: the write transaction
      // does. Either way the explicit seq (primary key) makes a lost race a duplicate-key error, never
      // a second row claiming the same predecessor.
      const query = trx(table).orderBy('seq', 'desc').first();
      const last = (await (mysql ? query.forUpdate() : query)) as RawRow | undefined;
      const seq = last === undefined ? 1 : Number(last.seq) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      // Millisecond precision: what DATETIME(3) keeps, so the verifier sees the same instant.
      const at = new Date(Math.floor(clock().getTime()));
      const content = {
        seq,
        at,
        actor: entry.actor,
        role: entry.role,
        action: entry.action,
        target: entry.target ?? null,
        reason: entry.reason ?? null,
        detailJson: entry.detail === undefined ? null : canonicalJson(entry.detail),
      };
      const hash = rowHash(prevHash, content);
      await trx(table).insert({
        seq,
        at,
        actor: content.actor,
        role: content.role,
        action: content.action,
        target: content.target,
        reason: content.reason,
        detail_json: content.detailJson,
        prev_hash: prevHash,
        hash,
      });
      return { ...content, prevHash, hash };
    });
  }

  return {
    async append(entry) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const row = await appendOnce(entry);
          log.info(
            { seq: row.seq, action: row.action, actor: row.actor },
            'operator action logged',
          );
          return row;
        } catch (error) {
          if (!isConflict(error) || attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        }
      }
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
    async verify() {
      const rows = ((await knex(table).select('*').orderBy('seq', 'asc')) as RawRow[]).map(fromRaw);
      let prevHash = GENESIS_HASH;
      let expectedSeq = 1;
      for (const row of rows) {
        const broken = (
          problem: 'altered' | 'missing' | 'reordered',
          en: string,
          ja: string,
        ): VerifyResult => ({ ok: false, rows: rows.length, seq: row.seq, problem, en, ja });
        if (row.seq !== expectedSeq) {
          return broken(
            'missing',
            `row ${String(expectedSeq)} is missing (next present row is ${String(row.seq)})`,
            `${String(expectedSeq)} 番の記録が欠落しています（次の記録は ${String(row.seq)} 番）`,
          );
        }
        if (row.prevHash !== prevHash) {
          return broken(
            'reordered',
            `row ${String(row.seq)} does not chain from the row before it`,
            `${String(row.seq)} 番の記録が直前の記録とつながっていません`,
          );
        }
        if (rowHash(prevHash, row) !== row.hash) {
          return broken(
            'altered',
            `row ${String(row.seq)} was altered after it was written`,
            `${String(row.seq)} 番の記録が書き込み後に改ざんされています`,
          );
        }
        prevHash = row.hash;
        expectedSeq += 1;
      }
      return { ok: true, rows: rows.length, lastHash: prevHash };
    },
  };
}
