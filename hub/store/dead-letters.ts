/**
 * The dead-letter archive (`dead_letters`): rows with ids, reasons and headers in the clear, the
 * original bytes sealed with the key ring (AES-GCM, the row's dedupe key as associated data so a
 * payload cannot be moved to another row). Shared by the archiver, the CLI and the HTTP API.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { HubError, type ReasonClass } from '../errors.js';
import { loggerFor } from '../logger.js';
import { decrypt, DecryptionError, encrypt, encryptUnder } from '../security/crypto.js';
import type { KeyRing } from '../security/keys.js';
import { maskText, maskValue } from '../security/mask.js';
import { readDate } from './index.js';
import type { Store } from './types.js';

/** The reason classes an operator filters by. */
export const reasonClasses: readonly ReasonClass[] = [
  'validation',
  'delivery_limit',
  'unroutable',
  'policy',
  'connector',
  'timeout',
  'internal',
];

/** open: waiting for an operator; replayed: sent again at least once; purged: payload deleted. */
export type DeadLetterStatus = 'open' | 'replayed' | 'purged';

/** What the archiver stores for one dead letter. */
export interface NewDeadLetter {
  readonly dedupeKey: string;
  readonly messageId: string;
  readonly messageType: string;
  readonly route: string | null;
  readonly step: string | null;
  readonly originalExchange: string;
  readonly originalRoutingKey: string;
  readonly originalQueue: string | null;
  readonly reasonClass: ReasonClass;
  readonly reasonJa: string;
  readonly reasonEn: string;
  readonly detail: string | null;
  readonly attempts: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly payload: Buffer;
  readonly correlationId: string | null;
  readonly sourceSystem: string | null;
  readonly subjectHash: string | null;
  readonly firstFailedAt: Date | null;
  readonly deadLetteredAt: Date;
}

/** One archived dead letter without its payload (what lists and detail views start from). */
export interface DeadLetter {
  readonly id: number;
  readonly dedupeKey: string | null;
  readonly messageId: string;
  readonly messageType: string;
  readonly route: string | null;
  readonly step: string | null;
  readonly originalExchange: string;
  readonly originalRoutingKey: string;
  readonly originalQueue: string | null;
  readonly reasonClass: string;
  readonly reasonJa: string;
  readonly reasonEn: string;
  readonly detail: string | null;
  readonly attempts: number;
  readonly headers: Record<string, unknown>;
  readonly properties: Record<string, unknown>;
  readonly payloadSize: number;
  readonly keyId: string;
  readonly correlationId: string | null;
  readonly sourceSystem: string | null;
  readonly subjectHash: string | null;
  readonly firstFailedAt: Date | null;
  readonly deadLetteredAt: Date;
  readonly archivedAt: Date;
  readonly replayCount: number;
  readonly replayedAt: Date | null;
  readonly purgedAt: Date | null;
  readonly status: DeadLetterStatus;
  /** Set when the stored payload could not be decrypted (when, and why: key id and cause only). */
  readonly unreadable: { readonly at: Date; readonly reason: string } | null;
}

/**
 * The payload of one dead letter cannot be decrypted (its key is not in the key ring, or the stored
 * bytes are damaged). An error of that letter only: it is flagged unreadable, the others go on.
 */
export class UnreadableLetterError extends HubError {
  readonly letterId: number;
  readonly keyId: string;

  constructor(letterId: number, cause: DecryptionError) {
    const id = String(letterId);
    super('HUB_DEAD_LETTER_UNREADABLE', `dead letter ${id}: ${cause.reason.en}`, 'dead-letter', {
      cause,
      reasonClass: 'internal',
      reason: {
        en:
          `dead letter ${id} cannot be decrypted (${cause.reason.en}); it is marked unreadable and the other letters are not affected. ` +
          `If key ${cause.keyId} was removed from the key file, put it back (as a line after the current key)`,
        ja:
          `デッドレター ${id} を復号できません（${cause.reason.ja}）。読めないものとして記録しました（他のデッドレターには影響しません）。` +
          `鍵 ${cause.keyId} を鍵ファイルから削除した場合は、現用鍵の後の行に戻してください`,
      },
    });
    this.letterId = letterId;
    this.keyId = cause.keyId;
  }
}

/** Rows a rotation could not re-encrypt because they cannot be decrypted. */
export class ReencryptionError extends HubError {
  readonly unreadableIds: readonly number[];

  constructor(ids: readonly number[]) {
    const list = ids.slice(0, 20).join(', ') + (ids.length > 20 ? ', …' : '');
    super(
      'HUB_REENCRYPT_FAILED',
      `${String(ids.length)} dead letter(s) cannot be decrypted (ids ${list})`,
      'dead-letter',
      {
        reason: {
          en:
            `${String(ids.length)} dead letter(s) cannot be decrypted (ids ${list}); nothing was re-encrypted and the current key is unchanged. ` +
            'They are marked unreadable: restore their key, or purge them, or rotate with --skip-unreadable to leave them as they are',
          ja:
            `${String(ids.length)} 件のデッドレターを復号できません（ID ${list}）。再暗号化は行わず、現用鍵も変更していません。` +
            '読めないものとして記録しました。鍵を戻すか削除（purge）するか、--skip-unreadable を付けて再実行してください',
        },
      },
    );
    this.unreadableIds = ids;
  }
}

/** What a re-encryption did. */
export interface ReencryptResult {
  /** Rows re-sealed under the target key (and read back). */
  readonly rewritten: number;
  /** Rows with a payload now under the target key. */
  readonly current: number;
  /** Rows left under their key because they cannot be decrypted (only with `skipUnreadable`). */
  readonly unreadable: readonly number[];
}

/** Filters of `hub dlq list` and `GET /api/dead-letters`. All optional; combined with AND. */
export interface DeadLetterFilter {
  readonly ids?: readonly number[] | undefined;
  readonly route?: string | undefined;
  readonly step?: string | undefined;
  readonly messageType?: string | undefined;
  readonly reasonClass?: string | undefined;
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
  readonly correlationId?: string | undefined;
  readonly sourceSystem?: string | undefined;
  /** Default: open and replayed (everything whose payload is still kept). */
  readonly status?: DeadLetterStatus | 'all' | undefined;
  readonly limit?: number | undefined;
}

/** Dead letters per route and reason (the sidebar's and `dlq list`'s summary). */
export interface DeadLetterCount {
  readonly route: string | null;
  readonly reasonClass: string;
  readonly count: number;
}

/** The archive over the store's knex. */
export interface DeadLetterRepository {
  /** Stores one dead letter; `inserted: false` when its dedupe key is already there (redelivery). */
  insert(letter: NewDeadLetter): Promise<{ id: number; inserted: boolean }>;
  list(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  counts(filter?: DeadLetterFilter): Promise<DeadLetterCount[]>;
  get(id: number): Promise<DeadLetter | undefined>;
  /**
   * The original bytes, decrypted; undefined once purged. A payload that cannot be decrypted throws
   * UnreadableLetterError after flagging the letter (the flag clears once it can be read again).
   */
  payload(id: number): Promise<Buffer | undefined>;
  /** Records one replay of the letter (status replayed, counter up). */
  markReplayed(id: number, at: Date): Promise<void>;
  /** Deletes the payloads of letters dead-lettered before `before` (and matching `filter`). */
  purge(before: Date, filter?: DeadLetterFilter): Promise<number[]>;
  /**
   * Re-encrypts every stored payload not sealed under `targetKeyId` (default: the ring's current key;
   * a rotation names its pending key) in ONE transaction: every row is re-sealed, read back and
   * decrypted before the commit, so it all happens or none of it does. Purged rows (no payload) are
   * left alone. Rows that cannot be decrypted fail the whole run (ReencryptionError, after flagging
   * them) unless `skipUnreadable`, which leaves them under their key.
   */
  reencryptAll(options?: {
    targetKeyId?: string;
    batchSize?: number;
    skipUnreadable?: boolean;
  }): Promise<ReencryptResult>;
  /** Flags a letter unreadable (why: a key id and cause, never content). */
  markUnreadable(id: number, reason: string): Promise<void>;
  /** Stored payloads (any status) sealed under `keyId`. */
  countUnderKey(keyId: string): Promise<number>;
  /** Stored payloads not purged, per key id. */
  countsByKey(): Promise<Map<string, number>>;
}

const table = 'dead_letters';
const log = loggerFor('dead-letters');

function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : readDate(value);
}

function parseJson(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : str(value);
}

function fromRow(row: Record<string, unknown>): DeadLetter {
  const status = str(row['status']);
  return {
    id: Number(row['id']),
    dedupeKey: strOrNull(row['dedupe_key']),
    messageId: str(row['message_id']),
    messageType: str(row['message_type']),
    route: strOrNull(row['route']),
    step: strOrNull(row['step']),
    originalExchange: str(row['original_exchange']),
    originalRoutingKey: str(row['original_routing_key']),
    originalQueue: strOrNull(row['original_queue']),
    reasonClass: str(row['reason_class']),
    reasonJa: str(row['reason_ja']),
    reasonEn: str(row['reason_en']),
    detail: strOrNull(row['detail']),
    attempts: Number(row['attempts']),
    headers: parseJson(row['headers_json']),
    properties: parseJson(row['properties_json']),
    payloadSize: Number(row['payload_size']),
    keyId: str(row['key_id']),
    correlationId: strOrNull(row['correlation_id']),
    sourceSystem: strOrNull(row['source_system']),
    subjectHash: strOrNull(row['subject_hash']),
    firstFailedAt: toDateOrNull(row['first_failed_at']),
    deadLetteredAt: readDate(row['dead_lettered_at']),
    archivedAt: readDate(row['archived_at']),
    replayCount: Number(row['replay_count']),
    replayedAt: toDateOrNull(row['replayed_at']),
    purgedAt: toDateOrNull(row['purged_at']),
    status: status === 'replayed' || status === 'purged' ? status : 'open',
    unreadable:
      row['unreadable_at'] === null || row['unreadable_at'] === undefined
        ? null
        : { at: readDate(row['unreadable_at']), reason: str(row['unreadable_reason'] ?? '') },
  };
}

/** Columns read for lists and detail: everything but the (large, sealed) payload. */
const columns = [
  'id',
  'dedupe_key',
  'message_id',
  'message_type',
  'route',
  'step',
  'original_exchange',
  'original_routing_key',
  'original_queue',
  'reason_class',
  'reason_ja',
  'reason_en',
  'detail',
  'attempts',
  'headers_json',
  'properties_json',
  'payload_size',
  'key_id',
  'correlation_id',
  'source_system',
  'subject_hash',
  'first_failed_at',
  'dead_lettered_at',
  'archived_at',
  'replay_count',
  'replayed_at',
  'purged_at',
  'status',
  'unreadable_at',
  'unreadable_reason',
];

function applyFilter(query: Knex.QueryBuilder, filter: DeadLetterFilter): Knex.QueryBuilder {
  let q = query;
  if (filter.ids !== undefined) q = q.whereIn('id', [...filter.ids]);
  if (filter.route !== undefined) q = q.where('route', filter.route);
  if (filter.step !== undefined) q = q.where('step', filter.step);
  if (filter.messageType !== undefined) q = q.where('message_type', filter.messageType);
  if (filter.reasonClass !== undefined) q = q.where('reason_class', filter.reasonClass);
  if (filter.since !== undefined) q = q.where('dead_lettered_at', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('dead_lettered_at', '<', filter.until);
  if (filter.correlationId !== undefined) q = q.where('correlation_id', filter.correlationId);
  if (filter.sourceSystem !== undefined) q = q.where('source_system', filter.sourceSystem);
  const status = filter.status;
  if (status === undefined) q = q.whereIn('status', ['open', 'replayed']);
  else if (status !== 'all') q = q.where('status', status);
  return q;
}

function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The fields of a letter that can hold message content, other than the payload. */
type MaskedFields = Pick<
  NewDeadLetter,
  | 'messageId'
  | 'messageType'
  | 'route'
  | 'step'
  | 'originalExchange'
  | 'originalRoutingKey'
  | 'originalQueue'
  | 'reasonJa'
  | 'reasonEn'
  | 'detail'
  | 'headers'
  | 'properties'
  | 'correlationId'
  | 'sourceSystem'
>;

/**
 * A letter with every field but the payload masked (values and keys): what is stored, and what a
 * person sees unless an operator unmasks it. The identity on anything that holds no My Number.
 */
export function maskLetterFields<T extends MaskedFields>(letter: T): T {
  const orNull = (value: string | null) => (value === null ? null : maskText(value));
  return {
    ...letter,
    messageId: maskText(letter.messageId),
    messageType: maskText(letter.messageType),
    route: orNull(letter.route),
    step: orNull(letter.step),
    originalExchange: maskText(letter.originalExchange),
    originalRoutingKey: maskText(letter.originalRoutingKey),
    originalQueue: orNull(letter.originalQueue),
    reasonJa: maskText(letter.reasonJa),
    reasonEn: maskText(letter.reasonEn),
    detail: orNull(letter.detail),
    headers: maskValue(letter.headers) as Record<string, unknown>,
    properties: maskValue(letter.properties) as Record<string, unknown>,
    correlationId: orNull(letter.correlationId),
    sourceSystem: orNull(letter.sourceSystem),
  };
}

/** Creates the repository; payloads are sealed and opened with `keyRing`. */
export function createDeadLetterRepository(store: Store, keyRing: KeyRing): DeadLetterRepository {
  const { knex } = store;
  const aadOf = (dedupeKey: string | null, id: number) =>
    Buffer.from(dedupeKey ?? `id:${String(id)}`, 'utf8');

  async function markUnreadable(id: number, reason: string): Promise<void> {
    await knex(table)
      .where('id', id)
      .update({ unreadable_at: new Date(), unreadable_reason: reason.slice(0, 255) });
  }

  async function findByDedupe(key: string): Promise<number | undefined> {
    const row = (await knex(table).select('id').where('dedupe_key', key).first()) as
      { id: number | string } | undefined;
    return row === undefined ? undefined : Number(row.id);
  }

  return {
    async insert(incoming) {
      let letter = incoming;
      const existing = await findByDedupe(letter.dedupeKey);
      if (existing !== undefined) return { id: existing, inserted: false };
      const sealed = encrypt(keyRing, letter.payload, aadOf(letter.dedupeKey, 0));
      // Everything but the sealed payload is stored in its masked form (issue 13 item 4): a number
      // in the type, routing key, reasons, headers, properties or correlation id never rests in the
      // clear. Masking is the identity on values without one, so ordinary letters replay as they came.
      letter = maskLetterFields(letter);
      try {
        const [id] = await knex(table).insert({
          dedupe_key: letter.dedupeKey,
          message_id: letter.messageId.slice(0, 255),
          message_type: letter.messageType.slice(0, 128),
          route: letter.route,
          step: letter.step,
          original_exchange: letter.originalExchange.slice(0, 255),
          original_routing_key: letter.originalRoutingKey.slice(0, 255),
          original_queue: letter.originalQueue,
          reason_class: letter.reasonClass,
          reason_ja: letter.reasonJa,
          reason_en: letter.reasonEn,
          detail: letter.detail,
          attempts: letter.attempts,
          headers_json: JSON.stringify(letter.headers),
          properties_json: JSON.stringify(letter.properties),
          payload: sealed.ciphertext,
          payload_size: letter.payload.length,
          key_id: sealed.keyId,
          correlation_id: letter.correlationId?.slice(0, 255) ?? null,
          source_system: letter.sourceSystem?.slice(0, 64) ?? null,
          subject_hash: letter.subjectHash?.slice(0, 128) ?? null,
          first_failed_at: letter.firstFailedAt,
          dead_lettered_at: letter.deadLetteredAt,
          archived_at: new Date(),
          replay_count: 0,
          status: 'open',
        });
        // Without `returning`, both drivers answer with the new auto-increment id.
        return { id: Number(id), inserted: true };
      } catch (error) {
        // Two archivers (hub replicas) took copies of the same dead letter: the first one wins.
        if (isDuplicate(error)) {
          const winner = await findByDedupe(letter.dedupeKey);
          if (winner !== undefined) return { id: winner, inserted: false };
        }
        throw error;
      }
    },
    async list(filter = {}) {
      const query = applyFilter(knex(table).select(columns), filter)
        .orderBy('dead_lettered_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(filter.limit ?? 1000, 100_000));
      return ((await query) as Record<string, unknown>[]).map(fromRow);
    },
    async counts(filter = {}) {
      const rows = (await applyFilter(knex(table), filter)
        .select('route', 'reason_class')
        .count({ count: '*' })
        .groupBy('route', 'reason_class')
        .orderBy('route')
        .orderBy('reason_class')) as Record<string, unknown>[];
      return rows.map((row) => ({
        route: strOrNull(row['route']),
        reasonClass: str(row['reason_class']),
        count: Number(row['count']),
      }));
    },
    async get(id) {
      const row = (await knex(table).select(columns).where('id', id).first()) as
        Record<string, unknown> | undefined;
      return row === undefined ? undefined : fromRow(row);
    },
    async payload(id) {
      const row = (await knex(table)
        .select('payload', 'key_id', 'dedupe_key', 'status', 'unreadable_at')
        .where('id', id)
        .first()) as
        | {
            payload: Buffer;
            key_id: string;
            dedupe_key: string | null;
            status: string;
            unreadable_at: unknown;
          }
        | undefined;
      if (row === undefined || row.status === 'purged') return undefined;
      const flagged = row.unreadable_at !== null && row.unreadable_at !== undefined;
      let plaintext: Buffer;
      try {
        plaintext = decrypt(
          keyRing,
          row.key_id,
          Buffer.from(row.payload),
          aadOf(row.dedupe_key, 0),
        );
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        log.warn(
          { deadLetter: id, keyId: row.key_id, code: error.code },
          'dead-letter payload cannot be decrypted: marked unreadable / デッドレターを復号できません',
        );
        await markUnreadable(id, error.reason.en).catch((markError: unknown) => {
          log.error({ err: markError, deadLetter: id }, 'could not flag the letter unreadable');
        });
        throw new UnreadableLetterError(id, error);
      }
      if (flagged) {
        await knex(table)
          .where('id', id)
          .update({ unreadable_at: null, unreadable_reason: null })
          .catch(() => undefined);
      }
      return plaintext;
    },
    async reencryptAll(options = {}) {
      const target = keyRing.get(options.targetKeyId ?? keyRing.current.id);
      if (target === undefined) {
        throw new DecryptionError(options.targetKeyId ?? '?', 'target key is not in the key ring');
      }
      const batchSize = options.batchSize ?? 200;
      const mysql = (knex.client as { dialect?: unknown }).dialect === 'mysql';
      const unreadable: { id: number; reason: string }[] = [];
      let rewritten = 0;
      try {
        await knex.transaction(async (trx) => {
          // What each row must decrypt to afterwards: a digest, so no plaintext is kept around.
          const digests = new Map<number, string>();
          let lastId = 0;
          for (;;) {
            const query = trx(table)
              .select('id', 'payload', 'key_id', 'dedupe_key')
              .whereNot('status', 'purged')
              .whereNot('key_id', target.id)
              .where('id', '>', lastId)
              .orderBy('id')
              .limit(batchSize);
            // MySQL: a purge waits for the rotation, so a purged payload is never written back.
            const rows = (await (mysql ? query.forUpdate() : query)) as {
              id: number | string;
              payload: Buffer;
              key_id: string;
              dedupe_key: string | null;
            }[];
            if (rows.length === 0) break;
            lastId = Number(rows[rows.length - 1]?.id ?? lastId);
            for (const row of rows) {
              const id = Number(row.id);
              const stored = Buffer.from(row.payload);
              // A purge of an older version left an empty payload without the purged status.
              if (stored.length === 0) continue;
              const aad = aadOf(row.dedupe_key, 0);
              let plaintext: Buffer;
              try {
                plaintext = decrypt(keyRing, row.key_id, stored, aad);
              } catch (error) {
                if (!(error instanceof DecryptionError)) throw error;
                unreadable.push({ id, reason: error.reason.en });
                continue;
              }
              const sealed = encryptUnder(target, plaintext, aad);
              digests.set(id, createHash('sha256').update(plaintext).digest('hex'));
              plaintext.fill(0);
              const changed = await trx(table)
                .where('id', id)
                .where('key_id', row.key_id)
                .whereNot('status', 'purged')
                .update({ payload: sealed.ciphertext, key_id: sealed.keyId });
              if (changed !== 1) digests.delete(id);
            }
          }
          if (unreadable.length > 0 && options.skipUnreadable !== true) {
            throw new ReencryptionError(unreadable.map((entry) => entry.id));
          }
          // Verified before the commit: every rewritten row reads back and opens under the target key.
          const ids = [...digests.keys()];
          for (let start = 0; start < ids.length; start += batchSize) {
            const back = (await trx(table)
              .select('id', 'payload', 'key_id', 'dedupe_key')
              .whereIn('id', ids.slice(start, start + batchSize))) as {
              id: number | string;
              payload: Buffer;
              key_id: string;
              dedupe_key: string | null;
            }[];
            for (const row of back) {
              const id = Number(row.id);
              const opened = decrypt(
                keyRing,
                row.key_id,
                Buffer.from(row.payload),
                aadOf(row.dedupe_key, 0),
              );
              const digest = createHash('sha256').update(opened).digest('hex');
              opened.fill(0);
              if (row.key_id !== target.id || digest !== digests.get(id)) {
                throw new DecryptionError(target.id, `dead letter ${String(id)} did not verify`);
              }
            }
          }
          rewritten = ids.length;
        });
      } finally {
        for (const entry of unreadable) {
          await markUnreadable(entry.id, entry.reason).catch(() => undefined);
        }
      }
      const counted = (await knex(table)
        .whereNot('status', 'purged')
        .where('key_id', target.id)
        .count({ n: '*' })
        .first()) as { n: number | string } | undefined;
      return {
        rewritten,
        current: Number(counted?.n ?? 0),
        unreadable: unreadable.map((entry) => entry.id),
      };
    },
    markUnreadable,
    async markReplayed(id, at) {
      await knex(table)
        .where('id', id)
        .update({
          status: 'replayed',
          replayed_at: at,
          replay_count: knex.raw('replay_count + 1'),
        });
    },
    async purge(before, filter = {}) {
      return knex.transaction(async (trx) => {
        const rows = (await applyFilter(trx(table).select('id'), filter).where(
          'dead_lettered_at',
          '<',
          before,
        )) as { id: number | string }[];
        const ids = rows.map((row) => Number(row.id));
        // The row stays as a tombstone (ids, reason, when): the payload, the only personal data, goes.
        for (let start = 0; start < ids.length; start += 500) {
          await trx(table)
            .whereIn('id', ids.slice(start, start + 500))
            .update({
              payload: Buffer.alloc(0),
              payload_size: 0,
              status: 'purged',
              purged_at: new Date(),
            });
        }
        return ids;
      });
    },
    async countUnderKey(keyId) {
      const row = (await knex(table).where('key_id', keyId).count({ n: '*' }).first()) as
        { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },
    async countsByKey() {
      const rows: { key_id: string; n: number | string }[] = await knex(table)
        .whereNot('status', 'purged')
        .select('key_id')
        .count({ n: '*' })
        .groupBy('key_id');
      return new Map(rows.map((row) => [row.key_id, Number(row.n)]));
    },
  };
}
