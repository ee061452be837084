/**
 * The operator log: every operator action (unmasked view, replay, purge, edit) as one append-only row
 * of `operator_actions`, chained so that an altered, inserted or deleted row shows. Each row's hash is
 * an HMAC-SHA256, under a key derived from the hub's secret key (never stored in the database), over
 * the previous row's hash and the canonical JSON of the row's own content (sorted keys, dates as ISO
 * strings, the signing key's id). Whoever can write the table but does not hold the key cannot
 * recompute the chain after a change. Deleting the newest rows leaves a valid chain: that shows only
 * against a head kept elsewhere (`head()` → `hub audit head`, `verify({ expectHead })`).
 * Rows from before the chain was keyed (no key id) fail verification until `rekey` re-anchors them.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { loggerFor } from '../logger.js';
import type { KeyRing, SecretKey } from '../security/keys.js';
import { maskText, maskValue } from '../security/mask.js';
import { operatorActions, type ActionRow } from '../store/operator-actions.js';
import type { Store } from '../store/types.js';

export type { ActionRow } from '../store/operator-actions.js';

/** The `prev_hash` of the first row: a fixed seed, so the chain has a known start. */
export const GENESIS_HASH = '0'.repeat(64);

/** The actions the log records. */
export type OperatorAction =
  | 'dead-letter.unmask'
  | 'dead-letter.replay'
  | 'dead-letter.edit'
  | 'dead-letter.purge'
  | 'keys.rotate'
  | 'audit.rekey'
  | 'flows.drain'
  | 'saga.retry'
  | 'saga.close'
  | 'message.trace'
  | 'systems.pause'
  | 'systems.resume';

/** Who did what to what, and why. `detail` holds ids and counts only, never payload values. */
export interface ActionEntry {
  readonly actor: string;
  readonly role: string;
  readonly action: OperatorAction;
  readonly target?: string | null | undefined;
  readonly reason?: string | null | undefined;
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
}

/** The verdict of `verify`: OK, or the first row where the chain breaks and why. */
export type VerifyResult =
  | { readonly ok: true; readonly rows: number; readonly lastHash: string; readonly head: string }
  | {
      readonly ok: false;
      readonly rows: number;
      readonly seq: number;
      readonly problem:
        'altered' | 'missing' | 'reordered' | 'unkeyed' | 'unknown-key' | 'head' | 'bad-head';
      readonly en: string;
      readonly ja: string;
    };

/** The operator log over the store. */
export interface OperatorLog {
  /** Appends one action; concurrent appenders (threads or processes) never fork the chain. */
  append(entry: ActionEntry): Promise<ActionRow>;
  /** Rows in chain order, optionally only the newest `limit`. */
  list(options?: { limit?: number; action?: string }): Promise<ActionRow[]>;
  /**
   * Walks the whole chain from the seed. `expectHead` (what `head()` gave earlier, `<seq>:<hash>`, or
   * a bare hash) must still be in the chain: rows deleted from the end, or rewritten, fail it.
   */
  verify(options?: { expectHead?: string | undefined }): Promise<VerifyResult>;
  /** The newest row as `<seq>:<hash>`, to keep outside the database; `0:<seed>` for an empty log. */
  head(): Promise<string>;
  /**
   * Re-anchors the chain under the current key: after checking the existing chain (plain hashes for
   * rows from before the log was keyed, HMACs under their keys after), every row is re-chained under
   * the current key and an `audit.rekey` row records the previous head. Refuses a broken chain.
   */
  rekey(actor: { name: string; role: string }): Promise<{ rows: number; previousHead: string }>;
}

const log = loggerFor('audit');

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

/**
 * The hash of a row over the previous hash and the row's canonical content: an HMAC-SHA256 under
 * `key`'s audit subkey (the key id is part of the content), or, without a key, the plain SHA-256 of
 * rows written before the log was keyed (verified only while re-anchoring them).
 */
export function rowHash(
  prevHash: string,
  row: Omit<ActionRow, 'hash' | 'prevHash' | 'keyId'>,
  key?: SecretKey,
): string {
  const fields = {
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    role: row.role,
    action: row.action,
    target: row.target,
    reason: row.reason,
    detail: row.detailJson,
  };
  if (key === undefined) {
    return createHash('sha256')
      .update(prevHash, 'utf8')
      .update(canonicalJson(fields), 'utf8')
      .digest('hex');
  }
  return createHmac('sha256', key.auditKey)
    .update(prevHash, 'utf8')
    .update(canonicalJson({ ...fields, keyId: key.id }), 'utf8')
    .digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
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

/**
 * Creates the operator log on a migrated store; `keyRing` keys the chain (the current key
 * signs new rows; older keys of the ring verify the rows they signed).
 */
export function createOperatorLog(
  store: Store,
  keyRing: KeyRing,
  clock: () => Date = () => new Date(),
): OperatorLog {
  const actions = operatorActions(store);

  function appendOnce(entry: ActionEntry): Promise<ActionRow> {
    // The next row is built from the newest one inside the transaction that inserts it.
    return actions.appendAfterLast((last) => {
      const seq = last === undefined ? 1 : last.seq + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      // Millisecond precision: what DATETIME(3) keeps, so the verifier sees the same instant.
      const at = new Date(Math.floor(clock().getTime()));
      const content = {
        seq,
        at,
        // What an operator types (actor, target, reason) is free text: masked before it is
        // stored and chained, as every other column that can hold a number.
        actor: maskText(entry.actor),
        role: entry.role,
        action: entry.action,
        target: entry.target == null ? null : maskText(entry.target),
        reason: entry.reason == null ? null : maskText(entry.reason),
        detailJson: entry.detail === undefined ? null : canonicalJson(maskValue(entry.detail)),
      };
      const key = keyRing.current;
      const hash = rowHash(prevHash, content, key);
      return { ...content, prevHash, hash, keyId: key.id };
    });
  }

  /** Checks the chain of `rows`; `legacy` accepts rows without a key id as plain SHA-256 links. */
  function walk(rows: readonly ActionRow[], legacy: boolean): VerifyResult {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    for (const row of rows) {
      const broken = (
        problem: Extract<VerifyResult, { ok: false }>['problem'],
        en: string,
        ja: string,
      ): VerifyResult => ({ ok: false, rows: rows.length, seq: row.seq, problem, en, ja });
      const seq = String(row.seq);
      if (row.seq !== expectedSeq) {
        return broken(
          'missing',
          `row ${String(expectedSeq)} is missing (next present row is ${seq})`,
          `${String(expectedSeq)} 番の記録が欠落しています（次の記録は ${seq} 番）`,
        );
      }
      if (row.prevHash !== prevHash) {
        return broken(
          'reordered',
          `row ${seq} does not chain from the row before it`,
          `${seq} 番の記録が直前の記録とつながっていません`,
        );
      }
      let key: SecretKey | undefined;
      if (row.keyId === null) {
        if (!legacy) {
          return broken(
            'unkeyed',
            `row ${seq} carries no key id: it was chained with a plain hash (from before the log was keyed, or forged by someone without the key). ` +
              'If the log predates keyed chaining, run `hub audit rekey` once',
            `${seq} 番の記録に鍵 ID がありません（鍵なしのハッシュです。鍵付き化以前の記録か、鍵を持たない者による改ざん）。` +
              '鍵付き化以前の記録であれば hub audit rekey を一度実行してください',
          );
        }
      } else {
        key = keyRing.get(row.keyId);
        if (key === undefined) {
          return broken(
            'unknown-key',
            `row ${seq} was signed with key ${row.keyId}, which is not in the key ring: keep retired keys in the key file, or run \`hub audit rekey\` before removing one`,
            `${seq} 番の記録は鍵 ${row.keyId} で署名されていますが、その鍵がありません。旧鍵を鍵ファイルに残すか、削除前に hub audit rekey を実行してください`,
          );
        }
      }
      if (!sameHex(rowHash(prevHash, row, key), row.hash)) {
        return broken(
          'altered',
          `row ${seq} was altered after it was written`,
          `${seq} 番の記録が書き込み後に改ざんされています`,
        );
      }
      prevHash = row.hash;
      expectedSeq += 1;
    }
    return {
      ok: true,
      rows: rows.length,
      lastHash: prevHash,
      head: `${String(rows.length)}:${prevHash}`,
    };
  }

  function checkHead(
    result: VerifyResult,
    rows: readonly ActionRow[],
    expected: string,
  ): VerifyResult {
    if (!result.ok) return result;
    const match = /^(?:([0-9]+):)?([0-9a-f]{64})$/.exec(expected.trim());
    if (match === null) {
      return {
        ok: false,
        rows: rows.length,
        seq: 0,
        problem: 'bad-head',
        en: 'the expected head is not what `hub audit head` prints (<seq>:<64 hex digits>)',
        ja: '期待する先頭値の形式が不正です（hub audit head の出力 <番号>:<16 進 64 桁>）',
      };
    }
    const hash = match[2] ?? '';
    const row =
      match[1] === undefined
        ? rows.find((candidate) => candidate.hash === hash)
        : rows.find((candidate) => candidate.seq === Number(match[1]));
    if (match[1] !== undefined && Number(match[1]) === 0 && hash === GENESIS_HASH) return result;
    if (row?.hash !== hash) {
      const seq = match[1] ?? '?';
      return {
        ok: false,
        rows: rows.length,
        seq: Number(match[1] ?? 0),
        problem: 'head',
        en:
          row === undefined
            ? `the kept head (row ${seq}) is no longer in the log: rows were removed from the end (the log now ends at row ${String(rows.length)})`
            : `row ${seq} is not the row the kept head names: the log was rewritten`,
        ja:
          row === undefined
            ? `控えた先頭（${seq} 番）の記録がありません。末尾の記録が削除されています（現在は ${String(rows.length)} 番まで）`
            : `${seq} 番の記録が控えた先頭と一致しません。記録が書き換えられています`,
      };
    }
    return result;
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
    list(options = {}) {
      return actions.list(options);
    },
    async verify(options = {}) {
      const all = await actions.all();
      const result = walk(all, false);
      return options.expectHead === undefined ? result : checkHead(result, all, options.expectHead);
    },
    async head() {
      const last = await actions.last();
      return last === undefined ? `0:${GENESIS_HASH}` : `${String(last.seq)}:${last.hash}`;
    },
    async rekey(actor) {
      const result = await actions.rechain((existing) => {
        const checked = walk(existing, true);
        if (!checked.ok) {
          throw new Error(
            `the operator log is broken at row ${String(checked.seq)} (${checked.en}); it is not re-anchored` +
              ` / 操作記録が ${String(checked.seq)} 番で壊れているため再署名しません（${checked.ja}）`,
          );
        }
        const key = keyRing.current;
        let prevHash = GENESIS_HASH;
        const links = existing.map((row) => {
          const hash = rowHash(prevHash, row, key);
          const link = { seq: row.seq, prevHash, hash, keyId: key.id };
          prevHash = hash;
          return link;
        });
        return { links, result: { rows: existing.length, previousHead: checked.head } };
      });
      await this.append({
        actor: actor.name,
        role: actor.role,
        action: 'audit.rekey',
        target: 'operator-log',
        reason: 're-anchored under the current key',
        detail: { rows: result.rows, previousHead: result.previousHead, keyId: keyRing.current.id },
      });
      return result;
    },
  };
}
