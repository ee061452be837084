/**
 * Keyed hashes (HMAC-SHA256) for correlating a subject in the store without storing who it is.
 * Each use names a purpose, which is bound into the MAC, so a hash made for one purpose never
 * matches a hash of the same value made for another.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Computes keyed hashes under one key. */
export interface KeyedHasher {
  /** HMAC-SHA256 of `value` for `purpose`, as 43 base64url characters. */
  hash(purpose: string, value: string): string;
}

const purposePattern = /^[a-z][a-z0-9.-]{0,63}$/;

/** A hasher under `key` (at least 32 bytes); purposes are short lower-case names such as 'subject'. */
export function createKeyedHasher(key: Buffer): KeyedHasher {
  if (key.length < 32) throw new RangeError('a keyed-hash key needs at least 32 bytes');
  const secret = Buffer.from(key);
  return {
    hash(purpose: string, value: string): string {
      if (!purposePattern.test(purpose)) {
        throw new RangeError('a hash purpose is 1-64 characters of a-z, 0-9, "." and "-"');
      }
      const purposeBytes = Buffer.from(purpose, 'utf8');
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(purposeBytes.length);
      return createHmac('sha256', secret)
        .update(prefix)
        .update(purposeBytes)
        .update(value, 'utf8')
        .digest('base64url');
    },
  };
}

/** Compares two strings or buffers in time independent of where (or whether) they differ. */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  const sameLength = Buffer.byteLength(a) === Buffer.byteLength(b);
  return timingSafeEqual(left, right) && sameLength;
}
