/**
 * 法務省通知 sequencing state (affair 4): the next sequence number a stream expects and the notices
 * held behind a gap. Every hub replica shares it; the state row is locked (MySQL `FOR UPDATE`, SQLite's
 * single writer) for each claim, so two replicas never release the same notice or skip one, and a
 * restart resumes from what is committed. Bodies arrive sealed; this module never sees plaintext.
 */
import type { Knex } from 'knex';
import type { Store } from './types.js';

/** One notice offered for sequencing. */
export interface HeldNotice {
  readonly seq: number;
  readonly sha256: string;
  readonly keyId: string;
  /** The sealed body, base64. */
  readonly sealed: string;
}

/** What `hold` did with each offered notice. */
export interface HoldResult {
  readonly held: number[];
  /** Already released, or already held with the same content. */
  readonly duplicates: number[];
  /** Held or released before with different content: not taken, for an operator. */
  readonly conflicts: number[];
}

/** A gap whose alert this replica claimed. */
export interface GapAlert {
  readonly missingSeq: number;
  readonly firstHeldSeq: number;
  readonly heldCount: number;
  readonly since: Date;
}

/** The sequencing state of a stream (for operators and tests). */
export interface SequenceState {
  readonly nextSeq: number;
  readonly held: number;
  readonly gapSince: Date | null;
  readonly gapAlertedAt: Date | null;
}

/** The repository. */
export interface MojSequence {
  /** Holds notices (creating the stream at `firstSeq` when new); duplicates and conflicts are left out. */
  hold(
    stream: string,
    notices: readonly HeldNotice[],
    firstSeq: number,
    now: Date,
  ): Promise<HoldResult>;
  /**
   * Releases, in one transaction, up to `max` notices that continue the sequence: `publish` is called
   * for each in order and must resolve (confirmed) before the notice is removed and the stream advanced.
   * Opens or closes the gap mark. Returns how many were released.
   */
  release(
    stream: string,
    max: number,
    publish: (notice: HeldNotice) => Promise<void>,
    now: Date,
  ): Promise<number>;
  /** Claims the alert of a gap open for at least `alertMs` and not yet alerted (one replica wins). */
  claimGapAlert(stream: string, alertMs: number, now: Date): Promise<GapAlert | undefined>;
  /** Gives a claimed alert back (its publish failed), so another try raises it. */
  unclaimGapAlert(stream: string): Promise<void>;
  state(stream: string): Promise<SequenceState | undefined>;
}

interface SequenceRow {
  stream: string;
  next_seq: number | string;
  gap_since: Date | string | null;
  gap_alerted_at: Date | string | null;
}

const asDate = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

/** The 法務省通知 sequencing repository over the store. */
export function mojSequence(store: Store): MojSequence {
  const { knex } = store;
  const locked = (query: Knex.QueryBuilder) => (store.kind === 'mysql' ? query.forUpdate() : query);
  async function lockState(
    trx: Knex.Transaction,
    stream: string,
    firstSeq: number | undefined,
    now: Date,
  ): Promise<SequenceRow | undefined> {
    if (firstSeq !== undefined) {
      await trx('hub_moj_sequence')
        .insert({
          stream,
          next_seq: firstSeq,
          gap_since: null,
          gap_alerted_at: null,
          updated_at: now,
        })
        .onConflict('stream')
        .ignore();
    }
    // On SQLite the transaction already holds the write lock: it began IMMEDIATE (sqlite-client.ts).
    return (await locked(trx('hub_moj_sequence').where({ stream })).first()) as
      SequenceRow | undefined;
  }
  return {
    async hold(stream, notices, firstSeq, now) {
      return knex.transaction(async (trx) => {
        const row = await lockState(trx, stream, firstSeq, now);
        const next = Number(row?.next_seq ?? firstSeq);
        const result: HoldResult = { held: [], duplicates: [], conflicts: [] };
        const offered = [...notices];
        const existing = new Map<number, string>();
        for (let start = 0; start < offered.length; start += 500) {
          const seqs = offered.slice(start, start + 500).map((notice) => notice.seq);
          const rows: { seq: number | string; body_sha256: string }[] = await trx('hub_moj_held')
            .where({ stream })
            .whereIn('seq', seqs)
            .select('seq', 'body_sha256');
          for (const held of rows) existing.set(Number(held.seq), held.body_sha256);
        }
        const rows: Record<string, unknown>[] = [];
        for (const notice of offered) {
          const known = existing.get(notice.seq);
          if (notice.seq < next) result.duplicates.push(notice.seq);
          else if (known !== undefined) {
            (known === notice.sha256 ? result.duplicates : result.conflicts).push(notice.seq);
          } else {
            existing.set(notice.seq, notice.sha256);
            result.held.push(notice.seq);
            rows.push({
              stream,
              seq: notice.seq,
              body_sha256: notice.sha256,
              key_id: notice.keyId,
              sealed: notice.sealed,
              held_at: now,
            });
          }
        }
        for (let start = 0; start < rows.length; start += 200)
          await trx('hub_moj_held').insert(rows.slice(start, start + 200));
        return result;
      });
    },
    async release(stream, max, publish, now) {
      return knex.transaction(async (trx) => {
        const row = await lockState(trx, stream, undefined, now);
        if (row === undefined) return 0;
        let next = Number(row.next_seq);
        const candidates: {
          seq: number | string;
          body_sha256: string;
          key_id: string;
          sealed: string;
        }[] = await trx('hub_moj_held')
          .where({ stream })
          .andWhere('seq', '>=', next)
          .orderBy('seq')
          .limit(max)
          .select('seq', 'body_sha256', 'key_id', 'sealed');
        let released = 0;
        for (const candidate of candidates) {
          const seq = Number(candidate.seq);
          if (seq !== next) break;
          await publish({
            seq,
            sha256: candidate.body_sha256,
            keyId: candidate.key_id,
            sealed: candidate.sealed,
          });
          next += 1;
          released += 1;
        }
        if (released > 0)
          await trx('hub_moj_held').where({ stream }).andWhere('seq', '<', next).delete();
        const waiting = (await trx('hub_moj_held').where({ stream }).count({ n: '*' }).first()) as
          { n: number | string } | undefined;
        const gapOpen = Number(waiting?.n ?? 0) > 0;
        const update: Record<string, unknown> = { next_seq: next, updated_at: now };
        if (!gapOpen) Object.assign(update, { gap_since: null, gap_alerted_at: null });
        else if (released > 0 || row.gap_since === null)
          // A new gap (or the old one moved on): its clock starts now, not yet alerted.
          Object.assign(update, { gap_since: now, gap_alerted_at: null });
        await trx('hub_moj_sequence').where({ stream }).update(update);
        return released;
      });
    },
    async claimGapAlert(stream, alertMs, now) {
      const due = new Date(now.getTime() - alertMs);
      const claimed = await knex('hub_moj_sequence')
        .where({ stream })
        .whereNotNull('gap_since')
        .whereNull('gap_alerted_at')
        .andWhere('gap_since', '<=', due)
        .update({ gap_alerted_at: now });
      if (claimed !== 1) return undefined;
      const row = (await knex('hub_moj_sequence').where({ stream }).first()) as SequenceRow;
      const first = (await knex('hub_moj_held')
        .where({ stream })
        .min({ seq: 'seq' })
        .count({ n: '*' })
        .first()) as { seq: number | string | null; n: number | string } | undefined;
      return {
        missingSeq: Number(row.next_seq),
        firstHeldSeq: Number(first?.seq ?? row.next_seq),
        heldCount: Number(first?.n ?? 0),
        since: asDate(row.gap_since) ?? now,
      };
    },
    async unclaimGapAlert(stream) {
      await knex('hub_moj_sequence').where({ stream }).update({ gap_alerted_at: null });
    },
    async state(stream) {
      const row = (await knex('hub_moj_sequence').where({ stream }).first()) as
        SequenceRow | undefined;
      if (row === undefined) return undefined;
      const waiting = (await knex('hub_moj_held').where({ stream }).count({ n: '*' }).first()) as
        { n: number | string } | undefined;
      return {
        nextSeq: Number(row.next_seq),
        held: Number(waiting?.n ?? 0),
        gapSince: asDate(row.gap_since),
        gapAlertedAt: asDate(row.gap_alerted_at),
      };
    },
  };
}
