/**
 * Affair 6: 本人確認情報 searches (6-①–④) and 情報照会 (6-⑤–⑧) from the 統合端末. Local first: the
 * 市町村CS answers for residents of the city; when it finds nothing (the person lives elsewhere, or
 * is not a resident any more) the 全国サーバ is searched, and a 照会 goes to 機構. Every call is made
 * within the deadline the terminal set; a deadline that passes answers TIMED_OUT. The answer names
 * its source and carries only the items the 事務 may see (個人番号 only where the purpose allows).
 * Every request is recorded in the access record before the answer leaves the hub.
 */
import {
  DeadlinePassed,
  searchIdentity,
  type IdentityCriteria,
} from '../../connectors/jukinet-cs/identity-search.js';
import type { JukinetConsistencyCheckRecord } from '../../schemas/types.gen.js';
import type { KeyedHasher } from '../security/keyed-hash.js';
import type { AccessRecords } from '../store/access-records.js';
import { recordAccess } from './access.js';
import type { IdentityItem, Purpose } from './purposes.js';

/** Where affair 6 reaches the servers. */
export interface IdentityEndpoints {
  /** 市町村CS base URL. */
  readonly cs: string;
  /** 全国サーバ (and 機構) base URL. */
  readonly national: string;
}

/** One search or 照会 as the terminal made it. */
export interface IdentityRequest {
  readonly kind: 'SEARCH' | 'INQUIRY';
  readonly requestId: string;
  readonly operator: string;
  readonly terminal: string;
  readonly purpose: Purpose;
  readonly criteria: IdentityCriteria;
  /** Epoch ms: the terminal's deadline. */
  readonly deadline: number;
}

/** What the terminal is answered. */
export interface IdentityResult {
  readonly requestId: string;
  readonly status: 'ANSWERED' | 'NOT_FOUND' | 'TIMED_OUT' | 'FAILED';
  /** LOCAL (the CS), NATIONAL (全国サーバ) or KIKOU (機構). */
  readonly source?: 'LOCAL' | 'NATIONAL' | 'KIKOU';
  readonly purpose: string;
  readonly records: readonly Partial<Record<IdentityItem, unknown>>[];
  readonly message?: { readonly ja: string; readonly en: string };
}

/** The items of `record` the purpose allows, nothing else. */
export function projectRecord(
  record: JukinetConsistencyCheckRecord,
  purpose: Purpose,
): Partial<Record<IdentityItem, unknown>> {
  const all: Record<IdentityItem, unknown> = {
    juminhyoCode: record.juminhyoCode,
    name: record.name,
    nameKana: record.nameKanaHalfWidth,
    birthDate: record.birthDate.value,
    sex: record.sex,
    address: record.addressText,
    residentStatus: record.residentStatus,
    lastMovement:
      record.lastMovementReason === undefined
        ? undefined
        : { reason: record.lastMovementReason.reason, on: record.lastMovedOn?.value },
    myNumber: record.myNumber,
  };
  const out: Partial<Record<IdentityItem, unknown>> = {};
  for (const item of purpose.items) if (all[item] !== undefined) out[item] = all[item];
  return out;
}

/** Runs one request: local, then national / 機構; records it; answers. */
export async function runIdentityRequest(
  request: IdentityRequest,
  endpoints: IdentityEndpoints,
  records: AccessRecords,
  hasher: KeyedHasher,
): Promise<IdentityResult> {
  const path = request.kind === 'SEARCH' ? '/identity/search' : '/kikou/inquiry';
  let result: IdentityResult;
  try {
    const local = await searchIdentity(
      `${endpoints.cs}${path}`,
      request.criteria,
      request.deadline,
    );
    let source: 'LOCAL' | 'NATIONAL' | 'KIKOU' = 'LOCAL';
    let found = local.records;
    if (found.length === 0) {
      source = request.kind === 'SEARCH' ? 'NATIONAL' : 'KIKOU';
      found = (
        await searchIdentity(`${endpoints.national}${path}`, request.criteria, request.deadline)
      ).records;
    }
    result = {
      requestId: request.requestId,
      status: found.length === 0 ? 'NOT_FOUND' : 'ANSWERED',
      ...(found.length === 0 ? {} : { source }),
      purpose: request.purpose.code,
      records: found.map((record) => projectRecord(record, request.purpose)),
    };
  } catch (error) {
    const timedOut = error instanceof DeadlinePassed;
    result = {
      requestId: request.requestId,
      status: timedOut ? 'TIMED_OUT' : 'FAILED',
      purpose: request.purpose.code,
      records: [],
      message: timedOut
        ? {
            ja: '期限までに回答がありませんでした（タイムアウト）',
            en: 'timed out: no answer before the deadline',
          }
        : { ja: '検索先が応答しませんでした', en: 'the server did not answer' },
    };
  }
  await recordAccess(records, hasher, {
    requestId: request.requestId,
    affair: 'affair-6',
    action: request.kind,
    operator: request.operator,
    terminal: request.terminal,
    purpose: request.purpose.code,
    criteria: { ...request.criteria },
    source: result.source ?? null,
    result: result.status,
    resultCount: result.records.length,
  });
  return result;
}
