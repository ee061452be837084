/**
 * Encryption at rest: AES-256-GCM under the key ring's current key. A sealed value is
 * `version (1 byte) | iv (12) | tag (16) | ciphertext`; the version byte is authenticated too.
 * The key id travels next to the sealed value (a column of its own), so keys can rotate.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { HubError } from '../errors.js';
import type { KeyRing, SecretKey } from './keys.js';

const version = 1;
const ivLength = 12;
const tagLength = 16;
const headerLength = 1 + ivLength + tagLength;

/** A stored value could not be decrypted: unknown key, wrong key, damaged or tampered. */
export class DecryptionError extends HubError {
  readonly keyId: string;

  constructor(keyId: string, problem: string, options?: ErrorOptions) {
    super('HUB_DECRYPT_FAILED', `cannot decrypt (key ${keyId}): ${problem}`, 'dead-letter', {
      ...options,
      reasonClass: 'internal',
      reason: {
        ja: `復号できません（鍵 ${keyId}）: ${problem}`,
        en: `Cannot decrypt (key ${keyId}): ${problem}`,
      },
    });
    this.keyId = keyId;
  }
}

/** A value sealed under one key of the ring. */
export interface Sealed {
  readonly keyId: string;
  readonly ciphertext: Buffer;
}

function associatedData(aad: Buffer | undefined): Buffer {
  const versionByte = Buffer.of(version);
  return aad === undefined ? versionByte : Buffer.concat([versionByte, aad]);
}

/** Encrypts under the ring's current key; `aad` (for example the row id) must match on decrypt. */
export function encrypt(keyRing: KeyRing, plaintext: Buffer, aad?: Buffer): Sealed {
  return encryptUnder(keyRing.current, plaintext, aad);
}

/** Encrypts under one given key (rotation seals under a key that is not current yet). */
export function encryptUnder(key: SecretKey, plaintext: Buffer, aad?: Buffer): Sealed {
  const iv = randomBytes(ivLength);
  const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, iv, { authTagLength: tagLength });
  cipher.setAAD(associatedData(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return { keyId: key.id, ciphertext: Buffer.concat([Buffer.of(version), iv, tag, body]) };
}

/**
 * Seals the file `source` into `target` (mode 0600) under the current key, streaming: `prefix`, then
 * the same bytes `encrypt` gives for the whole file (version, iv, tag, body), so `decrypt` opens it.
 * Memory stays at one chunk whatever the file's size (a dropped file may be hundreds of MB); the
 * tag, known only at the end, is written into its place last.
 */
export async function encryptFile(
  keyRing: KeyRing,
  source: string,
  target: string,
  prefix: Buffer,
  aad?: Buffer,
): Promise<{ keyId: string }> {
  const key = keyRing.current;
  const iv = randomBytes(ivLength);
  const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, iv, { authTagLength: tagLength });
  cipher.setAAD(associatedData(aad));
  const handle = await open(target, 'w', 0o600);
  try {
    const head = Buffer.concat([prefix, Buffer.of(version), iv, Buffer.alloc(tagLength)]);
    await handle.write(head, 0, head.length, 0);
    let position = head.length;
    const put = async (bytes: Buffer) => {
      if (bytes.length === 0) return;
      await handle.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    };
    for await (const chunk of createReadStream(source, { highWaterMark: 1024 * 1024 })) {
      await put(cipher.update(chunk as Buffer));
    }
    await put(cipher.final());
    await handle.write(cipher.getAuthTag(), 0, tagLength, prefix.length + 1 + ivLength);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { keyId: key.id };
}

/** Decrypts a sealed value; throws DecryptionError (never partial plaintext) on any mismatch. */
export function decrypt(keyRing: KeyRing, keyId: string, ciphertext: Buffer, aad?: Buffer): Buffer {
  const key = keyRing.get(keyId);
  if (key === undefined) throw new DecryptionError(keyId, 'no such key in the key ring');
  if (ciphertext.length < headerLength) throw new DecryptionError(keyId, 'too short');
  if (ciphertext[0] !== version) {
    throw new DecryptionError(keyId, `unknown format version ${String(ciphertext[0])}`);
  }
  const iv = ciphertext.subarray(1, 1 + ivLength);
  const tag = ciphertext.subarray(1 + ivLength, headerLength);
  const body = ciphertext.subarray(headerLength);
  const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, iv, {
    authTagLength: tagLength,
  });
  decipher.setAAD(associatedData(aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionError(
      keyId,
      'authentication failed (wrong key, wrong context or tampered)',
    );
  }
}

/** Rotation: re-seals a value under the current key; unchanged when it already uses it. */
export function reencrypt(
  keyRing: KeyRing,
  keyId: string,
  ciphertext: Buffer,
  aad?: Buffer,
): Sealed & { changed: boolean } {
  if (keyId === keyRing.current.id) {
    decrypt(keyRing, keyId, ciphertext, aad);
    return { keyId, ciphertext, changed: false };
  }
  const plaintext = decrypt(keyRing, keyId, ciphertext, aad);
  try {
    return { ...encrypt(keyRing, plaintext, aad), changed: true };
  } finally {
    plaintext.fill(0);
  }
}
