/**
 * The access record (`access_records`, issue 19): one row per 本人確認情報 search, 情報照会 and
 * counter issuance, with keyed hashes of what was searched and never a value. A row is written
 * before the answer leaves the hub; a retried request (same request id and action) is recorded once,
 * so several replicas may race and the unique key decides.
 */
import type { Store } from './types.js';

/** One access as stored. */
export interface AccessRow {
  readonly requestId: string;
  /** 'affair-3' or 'affair-6'. */
  readonly affair: string;
  /** SEARCH, INQUIRY or ISSUANCE. */
  readonly action: string;
  readonly operator: string;
  readonly terminal: string;
  /** The 事務 the access was made for. */
  readonly purpose: string;
  /** How the person was named: JUMINHYO_CODE, MY_NUMBER, NAME_BIRTH, ATENA_NUMBER. */
  readonly criteriaKind: string;
  /** Keyed hashes of the criteria, `item:hash` each. */
  readonly criteriaHashes: readonly string[];
  /** LOCAL, NATIONAL, KIKOU, REGISTRY; null when nothing answered. */
  readonly source: string | null;
  /** ANSWERED, NOT_FOUND, TIMED_OUT, REFUSED, FAILED, ISSUED. */
  readonly result: string;
  readonly resultCount: number;
  readonly at: Date;
}

/** The access record repository. */
export interface AccessRecords {
  /** Records one access; a second record of the same request id and action is ignored. */
  record(row: AccessRow): Promise<void>;
  /** Accesses in [from, to), oldest first. */
  list(range: { from: Date; to: Date; limit?: number }): Promise<AccessRow[]>;
}

interface Raw {
  request_id: string;
  affair: string;
  action: string;
  operator: string;
  terminal: string;
  purpose: string;
  criteria_kind: string;
  criteria_hashes: string;
  source: string | null;
  result: string;
  result_count: number | string;
  at: Date | string | number;
}

const asDate = (value: Date | string | number): Date =>
  value instanceof Date ? value : new Date(value);

/** The access record over the store. */
export function accessRecords(store: Store): AccessRecords {
  const { knex } = store;
  return {
    async record(row) {
      await knex('access_records')
        .insert({
          request_id: row.requestId,
          affair: row.affair,
          action: row.action,
          operator: row.operator,
          terminal: row.terminal,
          purpose: row.purpose,
          criteria_kind: row.criteriaKind,
          criteria_hashes: row.criteriaHashes.join(' '),
          source: row.source,
          result: row.result,
          result_count: row.resultCount,
          at: row.at,
        })
        .onConflict(['request_id', 'action'])
        .ignore();
    },
    async list(range) {
      const rows = await knex<Raw>('access_records')
        .select('*')
        .where('at', '>=', range.from)
        .andWhere('at', '<', range.to)
        .orderBy('id', 'asc')
        .limit(range.limit ?? 10_000);
      return rows.map((raw) => ({
        requestId: raw.request_id,
        affair: raw.affair,
        action: raw.action,
        operator: raw.operator,
        terminal: raw.terminal,
        purpose: raw.purpose,
        criteriaKind: raw.criteria_kind,
        criteriaHashes: raw.criteria_hashes === '' ? [] : raw.criteria_hashes.split(' '),
        source: raw.source,
        result: raw.result,
        resultCount: Number(raw.result_count),
        at: asDate(raw.at),
      }));
    },
  };
}
