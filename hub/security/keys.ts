/**
 * The hub's secret keys. A key comes from HUB_SECRET_KEY (hex or base64, at least 32 bytes) or from a
 * key file (HUB_SECRET_KEY_FILE, mode 0600, one key per line, newest first). Every key gets an id
 * (the first 8 hex digits of its SHA-256) stored next to what it protects, so keys can rotate.
 * Separate subkeys for encryption and keyed hashing are derived with HKDF; the raw key is not kept.
 */
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { createKeyedHasher, type KeyedHasher } from './keyed-hash.js';

/** One key, identified by id, with its derived subkeys. */
export interface SecretKey {
  /** First 8 hex digits of SHA-256 of the raw key; safe to store and log. */
  readonly id: string;
  /** AES-256-GCM key (HKDF info `juki-hub/v1/encryption`). */
  readonly encryptionKey: Buffer;
  /** HMAC-SHA256 key (HKDF info `juki-hub/v1/keyed-hash`). */
  readonly hashKey: Buffer;
}

/** Several keys by id; `current` encrypts and hashes, the others only decrypt (rotation). */
export interface KeyRing {
  readonly current: SecretKey;
  /** All key ids, newest (current) first. */
  readonly ids: readonly string[];
  /** The key with this id, or undefined. */
  get(id: string): SecretKey | undefined;
  /** A keyed hasher under the current key's hash subkey. */
  hasher(): KeyedHasher;
  /** A keyed hasher under the given key's hash subkey (to find rows hashed before a rotation). */
  hasherFor(id: string): KeyedHasher | undefined;
}

const minimumKeyBytes = 32;
const hkdfSalt = Buffer.from('juki-hub key derivation', 'utf8');

function derive(raw: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', raw, hkdfSalt, info, 32));
}

/** The id of a raw key: the first 8 hex digits of its SHA-256. */
export function keyIdOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 8);
}

/** Parses one key written as hex (64+ digits) or base64/base64url (32+ bytes); undefined if neither. */
export function parseKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^(?:[0-9a-fA-F]{2}){32,}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) && trimmed.length % 4 !== 1) {
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length >= minimumKeyBytes) return bytes;
  }
  return undefined;
}

/** Builds a key ring from raw keys, newest first; duplicates are dropped. */
export function createKeyRing(rawKeys: readonly Buffer[]): KeyRing {
  const byId = new Map<string, SecretKey>();
  for (const raw of rawKeys) {
    if (raw.length < minimumKeyBytes) throw new RangeError('a secret key needs at least 32 bytes');
    const id = keyIdOf(raw);
    if (byId.has(id)) continue;
    byId.set(id, {
      id,
      encryptionKey: derive(raw, 'juki-hub/v1/encryption'),
      hashKey: derive(raw, 'juki-hub/v1/keyed-hash'),
    });
  }
  const keys = [...byId.values()];
  const current = keys[0];
  if (current === undefined) throw new RangeError('a key ring needs at least one key');
  const hashers = new Map<string, KeyedHasher>();
  const hasherFor = (id: string): KeyedHasher | undefined => {
    const key = byId.get(id);
    if (key === undefined) return undefined;
    let hasher = hashers.get(id);
    if (hasher === undefined) {
      hasher = createKeyedHasher(key.hashKey);
      hashers.set(id, hasher);
    }
    return hasher;
  };
  const currentHasher = createKeyedHasher(current.hashKey);
  return {
    current,
    ids: keys.map((key) => key.id),
    get: (id) => byId.get(id),
    hasher: () => currentHasher,
    hasherFor,
  };
}

function parseKeyList(text: string, variable: string): Buffer[] {
  const keys: Buffer[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const content = line.trim();
    if (content === '' || content.startsWith('#')) continue;
    for (const entry of content.split(',')) {
      const key = parseKey(entry);
      if (key === undefined) {
        throw new ConfigError(
          variable,
          `line ${index + 1} is not a key of at least 32 bytes in hex or base64 (create one with: openssl rand -hex 32)`,
        );
      }
      keys.push(key);
    }
  }
  return keys;
}

/** A new random key, as 64 hex digits (what `openssl rand -hex 32` prints). */
export function generateKeyText(): string {
  return randomBytes(32).toString('hex');
}

function checkFileMode(file: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(
      'HUB_SECRET_KEY_FILE',
      `${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`,
    );
  }
}

function readKeyFile(file: string): Buffer[] {
  checkFileMode(file);
  const keys = parseKeyList(readFileSync(file, 'utf8'), 'HUB_SECRET_KEY_FILE');
  if (keys.length === 0) {
    throw new ConfigError('HUB_SECRET_KEY_FILE', `${file} holds no key`);
  }
  return keys;
}

function writeKeyFileExclusive(file: string, content: string): boolean {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  chmodSync(file, 0o600);
  return true;
}

function fileExists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Where the keys come from: the HUB_SECRET_KEY value, the key file path and the hub's mode. */
export interface KeySource {
  readonly secretKey?: string | undefined;
  readonly secretKeyFile: string;
  readonly mode: 'demo' | 'production';
}

/**
 * Loads the key ring: HUB_SECRET_KEY if set (several keys may be comma-separated, newest first),
 * else the key file. Outside demo mode a missing key is a ConfigError; in demo mode a new key file
 * (0600) is created and `created` is true so the caller can say so.
 */
export function loadKeyRing(source: KeySource): { keyRing: KeyRing; created: boolean } {
  if (source.secretKey !== undefined && source.secretKey.trim() !== '') {
    const keys = parseKeyList(source.secretKey, 'HUB_SECRET_KEY');
    if (keys.length === 0) throw new ConfigError('HUB_SECRET_KEY', 'holds no key');
    return { keyRing: createKeyRing(keys), created: false };
  }
  const file = source.secretKeyFile;
  if (fileExists(file)) return { keyRing: createKeyRing(readKeyFile(file)), created: false };
  if (source.mode !== 'demo') {
    throw new ConfigError(
      'HUB_SECRET_KEY',
      `is not set and there is no key file at ${file} (HUB_SECRET_KEY_FILE). ` +
        'Create a key with: openssl rand -hex 32 > <file> && chmod 600 <file>, ' +
        'then set HUB_SECRET_KEY_FILE=<file> (or HUB_SECRET_KEY to the key itself)',
    );
  }
  const created = writeKeyFileExclusive(
    file,
    `# juki-hub demo key, created ${new Date().toISOString()}; one key per line, newest first\n${generateKeyText()}\n`,
  );
  return { keyRing: createKeyRing(readKeyFile(file)), created };
}

/**
 * Rotation: puts a new key at the top of the key file (kept 0600, replaced atomically) and returns
 * its id. Old keys stay so existing rows still decrypt; re-encrypt them with `reencrypt`.
 */
export function addKeyToFile(file: string): { keyId: string } {
  const existing = fileExists(file) ? readFileSync(file, 'utf8') : '';
  if (existing !== '') checkFileMode(file);
  const keyText = generateKeyText();
  const raw = parseKey(keyText);
  if (raw === undefined) throw new RangeError('generated key did not parse');
  const temporary = `${file}.${process.pid.toString()}.tmp`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(temporary, `${keyText}\n${existing}`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
  return { keyId: keyIdOf(raw) };
}
