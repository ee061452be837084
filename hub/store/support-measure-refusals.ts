/**
 * The 支援措置 audit of refused certificates (`support_measure_refusals`): hashes and codes only.
 * A redelivered refusal (same message id) is recorded once; several replicas may race, the unique
 * message id decides.
 */
import type { Store } from './types.js';

/** One refusal as stored. */
export interface RefusalRow {
  readonly messageId: string;
  readonly channel: string;
  readonly requestId: string;
  readonly requesterHash: string;
  readonly subjectHash: string | null;
  readonly certificateType: string | null;
  readonly rule: string;
  readonly refusedAt: Date;
  readonly recordedAt: Date;
}

/** The refusal audit repository. */
export interface RefusalAudit {
  /** Records a refusal; a second record of the same message id is ignored. */
  record(row: RefusalRow): Promise<void>;
  /** Refusals, oldest first (optionally only those for one subject hash). */
  list(filter?: { subjectHash?: string; limit?: number }): Promise<RefusalRow[]>;
}

interface Raw {
  message_id: string;
  channel: string;
  request_id: string;
  requester_hash: string;
  subject_hash: string | null;
  certificate_type: string | null;
  rule: string;
  refused_at: Date | string | number;
  recorded_at: Date | string | number;
}

const asDate = (value: Date | string | number): Date =>
  value instanceof Date ? value : new Date(value);

/** The refusal audit over the store. */
export function refusalAudit(store: Store): RefusalAudit {
  const { knex } = store;
  return {
    async record(row) {
      await knex('support_measure_refusals')
        .insert({
          message_id: row.messageId,
          channel: row.channel,
          request_id: row.requestId,
          requester_hash: row.requesterHash,
          subject_hash: row.subjectHash,
          certificate_type: row.certificateType,
          rule: row.rule,
          refused_at: row.refusedAt,
          recorded_at: row.recordedAt,
        })
        .onConflict('message_id')
        .ignore();
    },
    async list(filter = {}) {
      let query = knex<Raw>('support_measure_refusals').select('*').orderBy('id', 'asc');
      if (filter.subjectHash !== undefined) query = query.where('subject_hash', filter.subjectHash);
      const rows = await query.limit(filter.limit ?? 1000);
      return rows.map((raw) => ({
        messageId: raw.message_id,
        channel: raw.channel,
        requestId: raw.request_id,
        requesterHash: raw.requester_hash,
        subjectHash: raw.subject_hash,
        certificateType: raw.certificate_type,
        rule: raw.rule,
        refusedAt: asDate(raw.refused_at),
        recordedAt: asDate(raw.recorded_at),
      }));
    },
  };
}
