/**
 * The certificate subject key: a deterministic, non-reversible key of "who the certificate is about",
 * derived from the 利用者証明用電子証明書 serial the kiosk request names. Request, query, reply, PDF
 * metadata and produced certificate all carry it, so a certificate for another person cannot pass.
 *
 * A certificate PDF also carries stamps (`certificateStamps`): the request it was made for, its kind
 * and the resident it shows (住民票コード, or 本籍+筆頭者 for 戸籍 kinds, as a key), so the route's
 * subject check compares what the document says with what the request asked, not only the echoes.
 */
import { createHash } from 'node:crypto';

/** Subject key for a kiosk request: `s1:` + base64url(SHA-256(lgCode ":" upper-case serial)). */
export function certificateSubjectKey(lgCode: string, authCertSerial: string): string {
  const digest = createHash('sha256')
    .update(`${lgCode}:${authCertSerial.toUpperCase()}`, 'utf8')
    .digest('base64url');
  return `s1:${digest}`;
}

/**
 * The resident key of a certificate: `r1:` + base64url(SHA-256(lgCode ":" identity)), where identity is
 * the 住民票コード, or `本籍|筆頭者` for 戸籍 kinds.
 */
export function residentKeyOf(lgCode: string, identity: string): string {
  const digest = createHash('sha256').update(`${lgCode}:${identity}`, 'utf8').digest('base64url');
  return `r1:${digest}`;
}

/** What a certificate PDF is stamped with (its Keywords). */
export interface CertificateStamps {
  readonly subjectKey: string;
  readonly requestId: string;
  readonly certificateType: string;
  readonly residentKey: string;
}

/** The Keywords text a PDF carries for `stamps` (the request id base64url-encoded: any ASCII). */
export function stampKeywords(stamps: CertificateStamps): string {
  return [
    `subjectKey=${stamps.subjectKey}`,
    `requestId=${Buffer.from(stamps.requestId, 'utf8').toString('base64url')}`,
    `kind=${stamps.certificateType}`,
    `residentKey=${stamps.residentKey}`,
  ].join(' ');
}

const stampPattern =
  /\(subjectKey=([A-Za-z0-9:_-]{1,80}) requestId=([A-Za-z0-9_-]{1,100}) kind=([A-Z_]{1,32}) residentKey=([A-Za-z0-9:_-]{1,80})\)/;

/** The stamps read back from PDF bytes; undefined when there are none (or they are malformed). */
export function certificateStamps(pdf: Buffer): CertificateStamps | undefined {
  const match = stampPattern.exec(pdf.toString('latin1'));
  if (!match) return undefined;
  const [, subjectKey, requestId, certificateType, residentKey] = match;
  if (!subjectKey || !requestId || !certificateType || !residentKey) return undefined;
  return {
    subjectKey,
    requestId: Buffer.from(requestId, 'base64url').toString('utf8'),
    certificateType,
    residentKey,
  };
}
