/**
 * 証明書コンビニ交付システム ingress: the certificate answer. Two checks happen here, at the edge, before anything is
 * published: an answer after the request's deadline becomes `kiosk.certificate.failed` (TIMEOUT),
 * and a PDF whose stamped subject key is not the requested subject's becomes a failure (SYSTEM),
 * never a certificate (the 2023-24 誤交付 incidents).
 */
import type { KioskCertificateRequested } from '../../schemas/types.gen.js';
import { certificateSubjectKey } from '../../transformers/kiosk-subject.js';
import type { Ingress, IngressResult } from '../runtime/ingress.js';
import { conveniIssuanceDescriptor } from './descriptor.js';
import { subjectKeyOfPdf } from './pdf.js';

const CONVENI_ISSUANCE = conveniIssuanceDescriptor.system;

/** What the convenience system answers for one request. */
export type CertificateAnswer =
  | {
      readonly kind: 'issued';
      readonly pdf: Buffer;
      readonly pageCount: number;
      readonly fee: number;
      readonly issueNumber: string;
    }
  | {
      readonly kind: 'failed';
      readonly errorKind: 'NOT_FOUND' | 'BLOCKED' | 'NOT_AVAILABLE' | 'SYSTEM';
    };

const kioskText = 'この証明書はコンビニ交付できません。市区町村の窓口にお問い合わせください。';

/** Publishes the answer to a kiosk request (correlation id = centerRequestId). */
export async function publishAnswer(
  ingress: Ingress,
  request: KioskCertificateRequested,
  answer: CertificateAnswer,
  now: Date = new Date(),
): Promise<IngressResult> {
  const meta = { eventKey: request.centerRequestId, correlationId: request.centerRequestId };
  const failed = (errorKind: string) =>
    ingress.publish(
      CONVENI_ISSUANCE,
      'kiosk.certificate.failed',
      {
        lgCode: request.lgCode,
        centerRequestId: request.centerRequestId,
        errorKind,
        message: kioskText,
        failedAt: now.toISOString(),
      },
      meta,
    );
  if (now.getTime() > Date.parse(request.respondBy)) return failed('TIMEOUT');
  if (answer.kind === 'failed') return failed(answer.errorKind);
  const expected = certificateSubjectKey(request.lgCode, request.authCertSerial);
  if (subjectKeyOfPdf(answer.pdf) !== expected) return failed('SYSTEM');
  return ingress.publish(
    CONVENI_ISSUANCE,
    'kiosk.certificate.produced',
    {
      lgCode: request.lgCode,
      centerRequestId: request.centerRequestId,
      subjectKey: expected,
      certificateType: request.certificateType,
      pdfBase64: answer.pdf.toString('base64'),
      pageCount: answer.pageCount,
      fee: answer.fee,
      issueNumber: answer.issueNumber,
      producedAt: now.toISOString(),
    },
    meta,
  );
}
