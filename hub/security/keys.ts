/**
 * The hub's secret keys. A key comes from HUB_SECRET_KEY (hex or base64, at least 32 bytes) or from a
 * key file (HUB_SECRET_KEY_FILE, mode 0600, one key per line, newest first). Every key gets an id
 * (the first 8 hex digits of its SHA-256) stored next to what it protects, so keys can rotate.
 * Separate subkeys for encryption, keyed hashing and the operator log's MAC are derived with HKDF;
 * the raw key is not kept. Weak keys (repeated bytes, too few distinct bytes, a counting sequence)
 * are refused. A line `pending:<key>` is a key being rotated in: it decrypts but never encrypts.
 * A ring loaded from a file follows the file (see `LiveKeyRing`), so a running hub sees a rotation.
 */
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { loggerFor } from '../logger.js';
import { createKeyedHasher, type KeyedHasher } from './keyed-hash.js';

/** One key, identified by id, with its derived subkeys. */
export interface SecretKey {
  /** First 8 hex digits of SHA-256 of the raw key; safe to store and log. */
  readonly id: string;
  /** AES-256-GCM key (HKDF info `juki-hub/v1/encryption`). */
  readonly encryptionKey: Buffer;
  /** HMAC-SHA256 key (HKDF info `juki-hub/v1/keyed-hash`). */
  readonly hashKey: Buffer;
  /** HMAC-SHA256 key of the operator log's chain (HKDF info `juki-hub/v1/operator-log`). */
  readonly auditKey: Buffer;
}

/** Several keys by id; `current` encrypts and hashes, the others only decrypt (rotation). */
export interface KeyRing {
  readonly current: SecretKey;
  /** All key ids, newest (current) first; keys being rotated in (pending) last. */
  readonly ids: readonly string[];
  /** Ids of pending keys (rotation under way): they decrypt, never encrypt. */
  readonly pendingIds: readonly string[];
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

/**
 * Why a key is too weak to protect anything, or undefined. A random 32-byte key has about 30
 * distinct byte values; fewer than 16 (all zeros, `abab…`, a short pattern repeated) or a counting
 * sequence (00 01 02 …) means the key was typed or made up, not generated.
 */
export function weakKeyProblem(raw: Buffer): { en: string; ja: string } | undefined {
  if (raw.length < minimumKeyBytes) {
    return {
      en: `is ${String(raw.length)} bytes; at least ${String(minimumKeyBytes)} are needed`,
      ja: `${String(raw.length)} バイトしかありません（${String(minimumKeyBytes)} バイト以上必要です）`,
    };
  }
  const distinct = new Set(raw).size;
  if (distinct === 1) {
    return {
      en: 'is one byte value repeated (e.g. all zeros)',
      ja: '同じバイトの繰り返しです（すべて 0 など）',
    };
  }
  if (distinct < 16) {
    return {
      en: `has only ${String(distinct)} distinct byte values (a pattern, not a random key)`,
      ja: `異なるバイト値が ${String(distinct)} 種類しかありません（乱数の鍵ではありません）`,
    };
  }
  const step = ((raw[1] ?? 0) - (raw[0] ?? 0) + 256) % 256;
  if (
    raw.every((byte, index) => index === 0 || (byte - (raw[index - 1] ?? 0) + 256) % 256 === step)
  ) {
    return {
      en: 'is a counting sequence (e.g. 00 01 02 …)',
      ja: '連番です（00 01 02 … など）',
    };
  }
  return undefined;
}

/**
 * Builds a key ring from raw keys, newest first (the first is current); `pendingKeys` only decrypt.
 * Duplicates are dropped.
 */
export function createKeyRing(
  rawKeys: readonly Buffer[],
  pendingKeys: readonly Buffer[] = [],
): KeyRing {
  const byId = new Map<string, SecretKey>();
  const pendingIds: string[] = [];
  for (const [index, raw] of [...rawKeys, ...pendingKeys].entries()) {
    if (raw.length < minimumKeyBytes) throw new RangeError('a secret key needs at least 32 bytes');
    const id = keyIdOf(raw);
    if (byId.has(id)) continue;
    if (index >= rawKeys.length) pendingIds.push(id);
    byId.set(id, {
      id,
      encryptionKey: derive(raw, 'juki-hub/v1/encryption'),
      hashKey: derive(raw, 'juki-hub/v1/keyed-hash'),
      auditKey: derive(raw, 'juki-hub/v1/operator-log'),
    });
  }
  const keys = [...byId.values()];
  const current = keys[0];
  if (current === undefined || pendingIds.includes(current.id)) {
    throw new RangeError('a key ring needs at least one key that is not pending');
  }
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
    pendingIds,
    get: (id) => byId.get(id),
    hasher: () => currentHasher,
    hasherFor,
  };
}

const pendingPrefix = 'pending:';

/** The keys of a key list: current first, older after; `pending` ones (rotation under way) apart. */
interface KeyList {
  readonly keys: Buffer[];
  readonly pending: Buffer[];
}

function parseKeyList(text: string, variable: string): KeyList {
  const keys: Buffer[] = [];
  const pending: Buffer[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const content = line.trim();
    if (content === '' || content.startsWith('#')) continue;
    const isPending = content.startsWith(pendingPrefix);
    const entries = (isPending ? content.slice(pendingPrefix.length) : content).split(',');
    for (const [position, entry] of entries.entries()) {
      const where =
        variable === 'HUB_SECRET_KEY' ? `key ${String(position + 1)}` : `line ${String(index + 1)}`;
      const key = parseKey(entry);
      if (key === undefined) {
        throw new ConfigError(
          variable,
          `${where} is not a key of at least 32 bytes in hex or base64 (create one with: openssl rand -hex 32)` +
            ` / ${where} は 32 バイト以上の鍵（16 進または base64）ではありません（作成: openssl rand -hex 32）`,
        );
      }
      const weak = weakKeyProblem(key);
      if (weak !== undefined) {
        throw new ConfigError(
          variable,
          `${where} ${weak.en}: refused as a weak key; create a random one with: openssl rand -hex 32` +
            ` / ${where} は弱い鍵のため使用できません（${weak.ja}）。openssl rand -hex 32 で乱数の鍵を作成してください`,
        );
      }
      (isPending ? pending : keys).push(key);
    }
  }
  return { keys, pending };
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

function readKeyFile(file: string): KeyList {
  checkFileMode(file);
  const list = parseKeyList(readFileSync(file, 'utf8'), 'HUB_SECRET_KEY_FILE');
  if (list.keys.length === 0) {
    throw new ConfigError(
      'HUB_SECRET_KEY_FILE',
      `${file} holds no key (other than pending ones) / 鍵ファイルに鍵がありません`,
    );
  }
  return list;
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
 * A key ring that follows its key store. Loaded from a file, it re-reads the file when asked
 * (`reload`, e.g. on SIGHUP), when `refresh` finds the file changed (a periodic check), and when a
 * stored value names a key id it does not hold (a rotation made by another process): so a hub
 * replica reads what another wrote under a new key, and writes under the new current key soon after
 * a rotation, never under a key that left the file. From HUB_SECRET_KEY it never changes.
 */
export interface LiveKeyRing extends KeyRing {
  /** Re-reads the key store. A file that cannot be read keeps the ring as it was (problem returned). */
  reload(): { changed: boolean; problem?: Error };
  /** Re-reads the key store only if the file changed since it was last read (cheap: one stat). */
  refresh(): { changed: boolean; problem?: Error };
}

const log = loggerFor('keys');

function fileSignature(file: string): string | undefined {
  try {
    const stat = statSync(file);
    return `${String(stat.ino)}:${String(stat.size)}:${String(stat.mtimeMs)}:${String(stat.ctimeMs)}`;
  } catch {
    return undefined;
  }
}

function liveRing(initial: KeyRing, load?: () => KeyRing, file?: string): LiveKeyRing {
  let ring = initial;
  let signature = file === undefined ? undefined : fileSignature(file);
  const reload = (): { changed: boolean; problem?: Error } => {
    if (load === undefined) return { changed: false };
    const seen = file === undefined ? undefined : fileSignature(file);
    try {
      const next = load();
      signature = seen;
      const changed =
        next.current.id !== ring.current.id ||
        next.ids.join(',') !== ring.ids.join(',') ||
        next.pendingIds.join(',') !== ring.pendingIds.join(',');
      if (changed) {
        log.info(
          { current: next.current.id, keyIds: next.ids, pending: next.pendingIds },
          'key ring reloaded / 鍵を再読み込みしました',
        );
      }
      ring = next;
      return { changed };
    } catch (error) {
      log.error(
        { err: error },
        'key store unreadable: keeping the keys loaded before / 鍵ファイルを読めないため以前の鍵を使います',
      );
      return { changed: false, problem: error instanceof Error ? error : new Error(String(error)) };
    }
  };
  const refresh = () => {
    if (file === undefined || fileSignature(file) === signature) return { changed: false };
    return reload();
  };
  // Before sealing or signing under `current`, a look at the file (one stat, at most every 100 ms):
  // a replica does not keep writing under a key that another process has retired from the file.
  let lookedAt = 0;
  return {
    get current() {
      const now = Date.now();
      if (file !== undefined && now - lookedAt >= 100) {
        lookedAt = now;
        refresh();
      }
      return ring.current;
    },
    get ids() {
      return ring.ids;
    },
    get pendingIds() {
      return ring.pendingIds;
    },
    get(id) {
      const key = ring.get(id);
      if (key !== undefined) return key;
      // A key id this ring does not know: a rotation elsewhere may have added it.
      refresh();
      return ring.get(id);
    },
    hasher: () => ring.hasher(),
    hasherFor(id) {
      if (ring.get(id) === undefined) refresh();
      return ring.hasherFor(id);
    },
    reload,
    refresh,
  };
}

/**
 * Loads the key ring: HUB_SECRET_KEY if set (several keys may be comma-separated, newest first),
 * else the key file. Outside demo mode a missing key is a ConfigError; in demo mode a new key file
 * (0600) is created and `created` is true so the caller can say so. A weak key is a ConfigError
 * naming the variable.
 */
export function loadKeyRing(source: KeySource): { keyRing: LiveKeyRing; created: boolean } {
  if (source.secretKey !== undefined && source.secretKey.trim() !== '') {
    const { keys, pending } = parseKeyList(source.secretKey, 'HUB_SECRET_KEY');
    if (keys.length === 0) {
      throw new ConfigError('HUB_SECRET_KEY', 'holds no key / 鍵がありません');
    }
    return { keyRing: liveRing(createKeyRing(keys, pending)), created: false };
  }
  const file = source.secretKeyFile;
  const load = () => {
    const { keys, pending } = readKeyFile(file);
    return createKeyRing(keys, pending);
  };
  if (fileExists(file)) return { keyRing: liveRing(load(), load, file), created: false };
  if (source.mode !== 'demo') {
    throw new ConfigError(
      'HUB_SECRET_KEY',
      `is not set and there is no key file at ${file} (HUB_SECRET_KEY_FILE). ` +
        'Create a key with: openssl rand -hex 32 > <file> && chmod 600 <file>, ' +
        'then set HUB_SECRET_KEY_FILE=<file> (or HUB_SECRET_KEY to the key itself)' +
        ' / 鍵が設定されていません。openssl rand -hex 32 で鍵ファイルを作成してください',
    );
  }
  const created = writeKeyFileExclusive(
    file,
    `# juki-hub demo key, created ${new Date().toISOString()}; one key per line, newest first\n${generateKeyText()}\n`,
  );
  return { keyRing: liveRing(load(), load, file), created };
}

/** Replaces the key file atomically (temporary file, 0600, rename). */
function replaceKeyFile(file: string, content: string): void {
  const temporary = `${file}.${process.pid.toString()}.${randomBytes(4).toString('hex')}.tmp`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function keyLines(file: string): string[] {
  if (!fileExists(file)) return [];
  checkFileMode(file);
  return readFileSync(file, 'utf8').split(/\r?\n/);
}

function pendingLine(line: string): { raw: Buffer; id: string } | undefined {
  const content = line.trim();
  if (!content.startsWith(pendingPrefix)) return undefined;
  const raw = parseKey(content.slice(pendingPrefix.length));
  return raw === undefined ? undefined : { raw, id: keyIdOf(raw) };
}

/**
 * Rotation, step 1: a new key goes into the key file as `pending:` (it decrypts, it does not
 * encrypt; running hubs pick it up). A pending key left by a rotation that stopped half way is
 * taken again rather than adding another.
 */
export function addPendingKey(file: string): { keyId: string; resumed: boolean } {
  const lines = keyLines(file);
  for (const line of lines) {
    const pending = pendingLine(line);
    if (pending !== undefined) return { keyId: pending.id, resumed: true };
  }
  const keyText = generateKeyText();
  const raw = parseKey(keyText);
  if (raw === undefined) throw new RangeError('generated key did not parse');
  const body = lines.join('\n');
  replaceKeyFile(
    file,
    `${body}${body === '' || body.endsWith('\n') ? '' : '\n'}${pendingPrefix}${keyText}\n`,
  );
  return { keyId: keyIdOf(raw), resumed: false };
}

/** Rotation, last step: the pending key becomes the first line, so the current key. */
export function promotePendingKey(file: string, keyId: string): void {
  const lines = keyLines(file);
  let promoted: string | undefined;
  const rest = lines.filter((line) => {
    const pending = pendingLine(line);
    if (pending?.id !== keyId) return true;
    promoted = line.trim().slice(pendingPrefix.length);
    return false;
  });
  if (promoted === undefined) {
    throw new ConfigError(
      'HUB_SECRET_KEY_FILE',
      `${file} no longer holds the pending key ${keyId} / 保留中の鍵 ${keyId} が鍵ファイルにありません`,
    );
  }
  const firstKey = rest.findIndex((line) => {
    const content = line.trim();
    return content !== '' && !content.startsWith('#');
  });
  const at = firstKey < 0 ? rest.length : firstKey;
  rest.splice(at, 0, promoted);
  replaceKeyFile(file, `${rest.join('\n').replace(/\n*$/, '')}\n`);
}

/** Rotation failed: the pending key leaves the file again (nothing was sealed under it). */
export function dropPendingKey(file: string, keyId: string): void {
  const lines = keyLines(file);
  const rest = lines.filter((line) => pendingLine(line)?.id !== keyId);
  if (rest.length !== lines.length) replaceKeyFile(file, rest.join('\n'));
}

/**
 * One rotation at a time per key file: an exclusive lock file next to it. A lock left by a process
 * that died is named in the error so an operator can remove it.
 */
export function lockKeyFile(file: string): () => void {
  const lock = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConfigError(
        'HUB_SECRET_KEY_FILE',
        `another key rotation holds ${lock}; if none is running, remove that file` +
          ` / 別の鍵更新が実行中です（${lock}）。実行中でなければそのファイルを削除してください`,
      );
    }
    throw error;
  }
  writeFileSync(fd, `${String(process.pid)}\n`);
  closeSync(fd);
  return () => {
    rmSync(lock, { force: true });
  };
}
