/**
 * The synthetic population every simulator agrees on: resident `n` is `sampleResident(n)` with
 * `sampleMyNumber(n)` and certificate serial `sampleCertSerial(n)`. The registry, the CS servers'
 * copies, the convenience system's cache and the 戸籍 system all derive from it, so a consistency
 * check or a kiosk request finds the same person everywhere unless a test injects a difference.
 */
import { sampleCertSerial, sampleMyNumber, sampleResident } from '../../schemas/sample.js';
import type { ResidentCore } from '../../schemas/types.gen.js';

/** Resident number `seed` of the synthetic city. */
export function residentOf(seed: number): ResidentCore {
  return sampleResident(seed);
}

/** The My Number of resident `seed` (valid check digit, synthetic). */
export function myNumberOf(seed: number): string {
  return sampleMyNumber(seed);
}

/** The 利用者証明用電子証明書 serial of resident `seed`. */
export function certSerialOf(seed: number): string {
  return sampleCertSerial(seed);
}

/** The resident a certificate serial belongs to; undefined for a serial nobody holds. */
export function seedOfSerial(serial: string): number | undefined {
  const match = /^0A([0-9]{8})F$/i.exec(serial);
  if (!match?.[1]) return undefined;
  const seed = Number(match[1]);
  return seed > 0 ? seed : undefined;
}
