/**
 * コンビニ交付 (11-③): the center's request → the 証明書記載用情報 query to the 証明発行サーバ, keyed by the
 * subject key, which the route step keeps as the saga subject for the reply's subject check.
 */
import { TransformError } from '../hub/errors.js';
import { certificateSubjectKey } from './kiosk-subject.js';
import { defineTransformer } from './transformer.js';

const name = 'kiosk-certificate-requested-to-certificate-data-query';

/** Builds the data query for a kiosk request; the saga correlation id must be the centerRequestId. */
export const kioskCertificateRequestedToCertificateDataQuery = defineTransformer({
  name,
  from: 'kiosk.certificate.requested',
  to: 'certificate.data.query',
  description: {
    ja: 'コンビニ交付の証明書交付要求を証明発行サーバへの証明書記載用情報照会に変換する',
    en: 'Maps a kiosk certificate request to the certificate data query for the issuing server',
  },
  transform(request, context) {
    if (context.correlationId !== undefined && context.correlationId !== request.centerRequestId) {
      throw new TransformError(
        name,
        'the correlation id is not the centerRequestId of the request',
      );
    }
    return {
      lgCode: request.lgCode,
      centerRequestId: request.centerRequestId,
      subjectKey: certificateSubjectKey(request.lgCode, request.authCertSerial),
      authCertSerial: request.authCertSerial,
      certificateType: request.certificateType,
      options: request.options,
      copies: request.copies,
      respondBy: request.respondBy,
    };
  },
});
