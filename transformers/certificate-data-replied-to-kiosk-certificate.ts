/**
 * コンビニ交付: the 証明発行サーバ's reply → the answer to the center. Safety-critical (the 2023–24 誤交付
 * incidents). This is the route's subject check (step `affair-11.reply-subject-check`): a certificate is
 * produced only when four keys agree —
 * 1. the request: the reply's centerRequestId is the saga's correlation id and the one stamped in the PDF;
 * 2. the requesting card: the subject key the hub stored with the request (saga header), the one the
 *    reply echoes, the one stamped in the PDF and the one derived from the card serial the system resolved;
 * 3. the certificate kind: the one the reply echoes and the one stamped in the PDF;
 * 4. the resident: the one the system resolved (住民票コード, or 本籍+筆頭者 for 戸籍) and the one the PDF shows.
 * Anything else is a `SubjectMismatchError`: dead-lettered (reason class policy), never forwarded.
 */
import { HubError, TransformError } from '../hub/errors.js';
import { refusalText } from '../hub/support-measures/rule.js';
import type { CertificateDataReplied } from '../schemas/types.gen.js';
import { certificateStamps, certificateSubjectKey } from './kiosk-subject.js';
import { defineTransformer } from './transformer.js';
import type { TransformContext } from './transformer.js';

const producedName = 'certificate-data-replied-to-kiosk-certificate-produced';
const failedName = 'certificate-data-replied-to-kiosk-certificate-failed';
const refusalName = 'certificate-data-replied-to-issuance-refusal-recorded';

/** A certificate about another request, person, resident or kind: never forwarded. */
export class SubjectMismatchError extends HubError {
  constructor(which: 'request' | 'card' | 'kind' | 'resident' | 'context', detail: string) {
    const ja = {
      request: '別の要求への応答です',
      card: '証明書の対象者が要求者と一致しません',
      kind: '証明書の種別が要求と一致しません',
      resident: '証明書に記載の住民が照合した住民と一致しません',
      context: '要求の対象者を照合できません（相関ID・対象者キーなし）',
    }[which];
    super('HUB_SUBJECT_MISMATCH', `subject check (${which}): ${detail}`, 'dead-letter', {
      reasonClass: 'policy',
      reason: {
        ja: `対象者照合（${which}）に失敗しました: ${ja}。交付センターへは送りません（誤交付防止）`,
        en: `Subject check (${which}) failed: ${detail}. Not forwarded to the center (mis-issuance guard)`,
      },
    });
  }
}

function checkCorrelation(reply: CertificateDataReplied, context: TransformContext): void {
  if (context.correlationId === undefined) {
    throw new SubjectMismatchError('context', 'no correlation id: the reply cannot be matched');
  }
  if (context.correlationId !== reply.centerRequestId) {
    throw new SubjectMismatchError(
      'request',
      'the reply answers another request (centerRequestId ≠ correlation id)',
    );
  }
}

/** Throws unless the certificate in `reply` is the one its request asked for (the four keys). */
export function assertSameSubject(reply: CertificateDataReplied, context: TransformContext): void {
  checkCorrelation(reply, context);
  const expected = context.subjectKey;
  if (expected === undefined) {
    throw new SubjectMismatchError('context', 'no subject key of the request in the context');
  }
  const { subject, document } = reply;
  if (subject === undefined || document === undefined) {
    throw new TransformError(producedName, 'an issued reply needs subject and document');
  }
  const stamps = certificateStamps(Buffer.from(document.pdfBase64, 'base64'));
  if (stamps === undefined) throw new SubjectMismatchError('card', 'the PDF carries no stamps');
  if (stamps.requestId !== reply.centerRequestId) {
    throw new SubjectMismatchError('request', 'the PDF was made for another request');
  }
  const resolved = certificateSubjectKey(reply.lgCode, subject.authCertSerial);
  const keys = [reply.requestSubjectKey, document.subjectKey, stamps.subjectKey, resolved];
  if (keys.some((key) => key !== expected)) {
    throw new SubjectMismatchError('card', 'the certificate subject differs from the requester');
  }
  if (stamps.certificateType !== reply.certificateType) {
    throw new SubjectMismatchError('kind', 'the PDF is another kind of certificate');
  }
  if (subject.residentKey === undefined || subject.residentKey !== stamps.residentKey) {
    throw new SubjectMismatchError('resident', 'the PDF shows another resident');
  }
}

/** An issued certificate → kiosk.certificate.produced, after the four-key subject check. */
export const certificateDataRepliedToKioskCertificateProduced = defineTransformer({
  name: producedName,
  from: 'certificate.data.replied',
  to: 'kiosk.certificate.produced',
  description: {
    ja: '証明書記載用情報応答を交付センターへの証明書に変換する（要求ID・住民・種別・要求者の4点照合）',
    en: 'Maps an issued reply to the produced certificate (request id, resident, kind and requester checked)',
  },
  accepts: (reply) => reply.outcome === 'ISSUED',
  transform(reply, context) {
    assertSameSubject(reply, context);
    const { document } = reply;
    if (document === undefined) throw new TransformError(producedName, 'no document');
    return {
      lgCode: reply.lgCode,
      centerRequestId: reply.centerRequestId,
      subjectKey: document.subjectKey,
      certificateType: reply.certificateType,
      pdfBase64: document.pdfBase64,
      pageCount: document.pageCount,
      fee: document.fee,
      issueNumber: document.issueNumber,
      producedAt: context.now,
    };
  },
});

/** A reply without a certificate → kiosk.certificate.failed with a generic message. */
export const certificateDataRepliedToKioskCertificateFailed = defineTransformer({
  name: failedName,
  from: 'certificate.data.replied',
  to: 'kiosk.certificate.failed',
  description: {
    ja: '発行不可の証明書記載用情報応答を交付センターへの失敗応答に変換する（理由の詳細は伝えない）',
    en: 'Maps a reply without certificate to the failure answer (no reason details reach the kiosk)',
  },
  accepts: (reply) => reply.outcome !== 'ISSUED',
  transform(reply, context) {
    checkCorrelation(reply, context);
    const kind = reply.outcome === 'ISSUED' ? 'NOT_FOUND' : reply.outcome;
    return {
      lgCode: reply.lgCode,
      centerRequestId: reply.centerRequestId,
      errorKind: kind,
      message: refusalText[kind],
      failedAt: context.now,
    };
  },
});

/** A refusal → the 支援措置 audit record (the hub stores the 宛名番号 as a keyed hash only). */
export const certificateDataRepliedToIssuanceRefusalRecorded = defineTransformer({
  name: refusalName,
  from: 'certificate.data.replied',
  to: 'issuance.refusal.recorded',
  description: {
    ja: '証明書の交付拒否を支援措置監査記録に変換する（誰が・いつ・誰の・どの規則）',
    en: 'Maps a refused certificate to the support-measure audit record (who, when, for whom, which rule)',
  },
  accepts: (reply) => reply.outcome !== 'ISSUED' && reply.refusalRule !== undefined,
  transform(reply, context) {
    if (reply.refusalRule === undefined) throw new TransformError(refusalName, 'no refusal rule');
    return {
      lgCode: reply.lgCode,
      channel: 'KIOSK',
      requestId: reply.centerRequestId,
      requesterKey: reply.requestSubjectKey,
      ...(reply.subject === undefined ? {} : { subjectAtenaNumber: reply.subject.atenaNumber }),
      certificateType: reply.certificateType,
      rule: reply.refusalRule,
      refusedAt: context.now,
    };
  },
});
