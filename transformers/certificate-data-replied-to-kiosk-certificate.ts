/**
 * コンビニ交付: the 既存住基 reply → the answer to the center. Safety-critical (the 2023–24 誤交付
 * incidents): a certificate is produced only when the reply answers this saga's request (centerRequestId =
 * correlation id) AND every subject key agrees: the one the engine stored with the request, the one the
 * reply echoes, the one stamped in the PDF, and the one derived from the subject the reply resolved.
 */
import { TransformError } from '../hub/errors.js';
import type { CertificateDataReplied } from '../schemas/types.gen.js';
import { certificateSubjectKey } from './kiosk-subject.js';
import { defineTransformer } from './transformer.js';
import type { TransformContext } from './transformer.js';

const producedName = 'certificate-data-replied-to-kiosk-certificate-produced';
const failedName = 'certificate-data-replied-to-kiosk-certificate-failed';

function checkCorrelation(
  transformer: string,
  reply: CertificateDataReplied,
  context: TransformContext,
): void {
  if (context.correlationId === undefined) {
    throw new TransformError(
      transformer,
      'no correlation id: the reply cannot be matched to a request',
    );
  }
  if (context.correlationId !== reply.centerRequestId) {
    throw new TransformError(
      transformer,
      'the reply answers another request (centerRequestId ≠ correlation id)',
    );
  }
}

/** Throws unless the certificate in `reply` is about the subject of the request it answers. */
export function assertSameSubject(reply: CertificateDataReplied, context: TransformContext): void {
  checkCorrelation(producedName, reply, context);
  const expected = context.subjectKey;
  if (expected === undefined) {
    throw new TransformError(producedName, 'no subject key of the request in the context');
  }
  const { subject, document } = reply;
  if (subject === undefined || document === undefined) {
    throw new TransformError(producedName, 'an issued reply needs subject and document');
  }
  const resolved = certificateSubjectKey(reply.lgCode, subject.authCertSerial);
  const keys = [reply.requestSubjectKey, document.subjectKey, resolved];
  if (keys.some((key) => key !== expected)) {
    throw new TransformError(
      producedName,
      'the certificate subject differs from the requested subject',
    );
  }
}

/** An issued certificate → kiosk.certificate.produced, after the correlation and subject checks. */
export const certificateDataRepliedToKioskCertificateProduced = defineTransformer({
  name: producedName,
  from: 'certificate.data.replied',
  to: 'kiosk.certificate.produced',
  description: {
    ja: '証明書記載用情報応答を交付センターへの証明書に変換する（要求IDと対象者の一致を検証）',
    en: 'Maps an issued certificate reply to the produced certificate (request id and subject verified)',
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
      pdfBase64: document.pdfBase64,
      pageCount: document.pageCount,
      fee: document.fee,
      issueNumber: document.issueNumber,
      producedAt: context.now,
    };
  },
});

/** Kiosk-facing texts: generic, so a 支援措置 is never revealed at the kiosk. */
const failureText = {
  NOT_FOUND: '該当する証明書情報がありません。市区町村の窓口にお問い合わせください。',
  BLOCKED: 'この証明書はコンビニ交付できません。市区町村の窓口にお問い合わせください。',
  NOT_AVAILABLE: 'この証明書はコンビニ交付できません。市区町村の窓口にお問い合わせください。',
} as const;

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
    checkCorrelation(failedName, reply, context);
    const kind = reply.outcome === 'ISSUED' ? 'NOT_FOUND' : reply.outcome;
    return {
      lgCode: reply.lgCode,
      centerRequestId: reply.centerRequestId,
      errorKind: kind,
      message: failureText[kind],
      failedAt: context.now,
    };
  },
});
