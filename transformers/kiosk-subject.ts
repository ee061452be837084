/**
 * The certificate subject key: a deterministic, non-reversible key of "who the certificate is about",
 * derived from the 利用者証明用電子証明書 serial the kiosk request names. Request, query, reply, PDF
 * metadata and produced certificate all carry it, so a certificate for another person cannot pass.
 */
import { createHash } from 'node:crypto';

/** Subject key for a kiosk request: `s1:` + base64url(SHA-256(lgCode ":" upper-case serial)). */
export function certificateSubjectKey(lgCode: string, authCertSerial: string): string {
  const digest = createHash('sha256')
    .update(`${lgCode}:${authCertSerial.toUpperCase()}`, 'utf8')
    .digest('base64url');
  return `s1:${digest}`;
}
