/**
 * 証明書コンビニ交付システム (証明発行サーバ) ingress: its answer to one `certificate.data.query`, published
 * as `certificate.data.replied` with correlation id = centerRequestId, the request's deadline
 * (`respondBy`) as the hub's deadline header — an answer later than that is never acted on — and the
 * saga subject key the hub sent with the query echoed back. The answer is *not* checked here: the
 * route's subject-check step (`affair-11.reply-subject-check`) checks it where the editor shows it.
 */
import type { CertificateDataQuery, CertificateDataReplied } from '../../schemas/types.gen.js';
import type { Ingress, IngressResult } from '../runtime/ingress.js';
import { conveniIssuanceDescriptor } from './descriptor.js';

const CONVENI_ISSUANCE = conveniIssuanceDescriptor.system;

/** What the issuing server answers for one query (the reply without the echoed request fields). */
export type CertificateAnswer =
  | {
      readonly kind: 'issued';
      readonly authCertSerial: string;
      readonly atenaNumber: string;
      readonly residentKey: string;
      readonly pdf: Buffer;
      readonly pageCount: number;
      readonly fee: number;
      readonly issueNumber: string;
      /** The subject key the system stamped (normally the query's). */
      readonly subjectKey: string;
    }
  | {
      readonly kind: 'refused';
      readonly outcome: 'NOT_FOUND' | 'BLOCKED' | 'NOT_AVAILABLE' | 'TIMEOUT';
      readonly blockedReason?: CertificateDataReplied['blockedReason'];
      readonly refusalRule?: CertificateDataReplied['refusalRule'];
      readonly subject?: { readonly authCertSerial: string; readonly atenaNumber: string };
    };

/** The reply body for `query` and `answer`. */
export function replyOf(
  query: CertificateDataQuery,
  answer: CertificateAnswer,
): CertificateDataReplied {
  const echo = {
    lgCode: query.lgCode,
    centerRequestId: query.centerRequestId,
    requestSubjectKey: query.subjectKey,
    certificateType: query.certificateType,
  };
  if (answer.kind === 'refused') {
    return {
      ...echo,
      outcome: answer.outcome,
      ...(answer.blockedReason === undefined ? {} : { blockedReason: answer.blockedReason }),
      ...(answer.refusalRule === undefined ? {} : { refusalRule: answer.refusalRule }),
      ...(answer.subject === undefined ? {} : { subject: { ...answer.subject } }),
    };
  }
  return {
    ...echo,
    outcome: 'ISSUED',
    subject: {
      authCertSerial: answer.authCertSerial,
      atenaNumber: answer.atenaNumber,
      residentKey: answer.residentKey,
    },
    document: {
      pdfBase64: answer.pdf.toString('base64'),
      pageCount: answer.pageCount,
      subjectKey: answer.subjectKey,
      issueNumber: answer.issueNumber,
      fee: answer.fee,
    },
  };
}

/** Publishes the answer to a query (correlation id = centerRequestId, deadline = respondBy). */
export async function publishAnswer(
  ingress: Ingress,
  query: CertificateDataQuery,
  answer: CertificateAnswer,
  sagaSubject: string | undefined,
): Promise<IngressResult> {
  const reply = replyOf(query, answer);
  return ingress.publish(CONVENI_ISSUANCE, 'certificate.data.replied', reply, {
    // A timely TIMEOUT and a later certificate are two answers, two ids.
    eventKey: `${query.centerRequestId}:${reply.outcome}`,
    correlationId: query.centerRequestId,
    deadline: Date.parse(query.respondBy),
    sagaSubject,
  });
}
