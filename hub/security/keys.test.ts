import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import {
  addPendingKey,
  createKeyRing,
  dropPendingKey,
  keyIdOf,
  loadKeyRing,
  parseKey,
  promotePendingKey,
  weakKeyProblem,
} from './keys.js';

// Fixed but random-looking keys (a key of repeated bytes is refused as weak).
const hexKey = '3f9c1a7e52d4b8069e1f7c3a5d2b8e4f17a09c6d3e5b2f8a4c1d7e9b0a6f3c52';
const olderKey = 'c41e8b2f9a7d3c6e05b1f4a8d2e7c93b6f0a5d1e8c4b7a29f3e6d0c5b8a1f74e';

describe('keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hub-keys-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses hex and base64 keys of at least 32 bytes', () => {
    expect(parseKey(hexKey)?.length).to.equal(32);
    expect(parseKey(Buffer.alloc(32, 7).toString('base64'))?.length).to.equal(32);
    expect(parseKey(Buffer.alloc(32, 7).toString('base64url'))?.length).to.equal(32);
    expect(parseKey('abcd')).to.equal(undefined);
    expect(parseKey(Buffer.alloc(16).toString('base64'))).to.equal(undefined);
  });

  it('names keys by the first 8 hex digits of their SHA-256', () => {
    const ring = createKeyRing([Buffer.from(hexKey, 'hex')]);
    expect(ring.current.id).to.match(/^[0-9a-f]{8}$/);
    expect(ring.current.id).to.equal(keyIdOf(Buffer.from(hexKey, 'hex')));
    expect(ring.current.encryptionKey.equals(ring.current.hashKey)).to.equal(false);
  });

  it('refuses to start in production without a key, naming HUB_SECRET_KEY', () => {
    const load = () => loadKeyRing({ secretKeyFile: join(dir, 'missing.key'), mode: 'production' });
    expect(load).to.throw(ConfigError, /HUB_SECRET_KEY.*openssl rand -hex 32/s);
    try {
      load();
    } catch (error) {
      expect((error as ConfigError).variable).to.equal('HUB_SECRET_KEY');
    }
  });

  it('creates a 0600 key file in demo mode and says so', () => {
    const file = join(dir, 'data', 'secret.key');
    const first = loadKeyRing({ secretKeyFile: file, mode: 'demo' });
    expect(first.created).to.equal(true);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const second = loadKeyRing({ secretKeyFile: file, mode: 'demo' });
    expect(second.created).to.equal(false);
    expect(second.keyRing.current.id).to.equal(first.keyRing.current.id);
  });

  it('prefers HUB_SECRET_KEY and rejects a malformed one', () => {
    const { keyRing, created } = loadKeyRing({
      secretKey: hexKey,
      secretKeyFile: join(dir, 'unused.key'),
      mode: 'production',
    });
    expect(created).to.equal(false);
    expect(keyRing.current.id).to.equal(keyIdOf(Buffer.from(hexKey, 'hex')));
    expect(() =>
      loadKeyRing({ secretKey: 'short', secretKeyFile: join(dir, 'x'), mode: 'production' }),
    ).to.throw(ConfigError, /HUB_SECRET_KEY/);
  });

  it('reads several keys from a file, newest first, and refuses a readable file', () => {
    const file = join(dir, 'ring.key');
    const older = olderKey;
    writeFileSync(file, `# comment\n${hexKey}\n\n${older}\n`, { mode: 0o600 });
    const { keyRing } = loadKeyRing({ secretKeyFile: file, mode: 'production' });
    expect(keyRing.ids).to.deep.equal([
      keyIdOf(Buffer.from(hexKey, 'hex')),
      keyIdOf(Buffer.from(older, 'hex')),
    ]);
    chmodSync(file, 0o644);
    expect(() => loadKeyRing({ secretKeyFile: file, mode: 'production' })).to.throw(
      ConfigError,
      /HUB_SECRET_KEY_FILE.*chmod 600/,
    );
  });

  it('rotates through a pending key: it decrypts at once, becomes current only when promoted', () => {
    const file = join(dir, 'ring.key');
    const { keyRing: live } = loadKeyRing({ secretKeyFile: file, mode: 'demo' });
    const before = live.current.id;
    const { keyId, resumed } = addPendingKey(file);
    expect(resumed).to.equal(false);
    // A second start finds the pending key of a rotation that stopped, rather than adding another.
    expect(addPendingKey(file)).to.deep.equal({ keyId, resumed: true });
    const pending = loadKeyRing({ secretKeyFile: file, mode: 'production' }).keyRing;
    expect(pending.current.id).to.equal(before);
    expect(pending.pendingIds).to.deep.equal([keyId]);
    expect(pending.get(keyId)).to.not.equal(undefined);
    // The running ring finds the pending key when asked for it (a letter sealed elsewhere).
    expect(live.get(keyId)?.id).to.equal(keyId);
    expect(live.current.id).to.equal(before);

    promotePendingKey(file, keyId);
    const after = loadKeyRing({ secretKeyFile: file, mode: 'production' }).keyRing;
    expect(after.current.id).to.equal(keyId);
    expect(after.ids).to.deep.equal([keyId, before]);
    expect(after.pendingIds).to.deep.equal([]);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(live.refresh().changed).to.equal(true);
    expect(live.current.id).to.equal(keyId);

    const { keyId: dropped } = addPendingKey(file);
    dropPendingKey(file, dropped);
    const final = loadKeyRing({ secretKeyFile: file, mode: 'production' }).keyRing;
    expect(final.ids).to.deep.equal([keyId, before]);
    expect(readFileSync(file, 'utf8')).not.to.contain('pending:');
  });

  it('does not write under a key retired from the file by another process', () => {
    const file = join(dir, 'ring.key');
    writeFileSync(file, `${hexKey}\n${olderKey}\n`, { mode: 0o600 });
    const live = loadKeyRing({ secretKeyFile: file, mode: 'production' }).keyRing;
    // Another process rotates: the newest key is retired, the other becomes current.
    writeFileSync(file, `${olderKey}\n`, { mode: 0o600 });
    expect(live.current.id).to.equal(keyIdOf(Buffer.from(olderKey, 'hex')));
    expect(live.get(keyIdOf(Buffer.from(hexKey, 'hex')))).to.equal(undefined);
    // A file broken half way keeps the keys loaded before (never an empty ring).
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    expect(live.reload().problem).to.be.instanceOf(ConfigError);
    expect(live.current.id).to.equal(keyIdOf(Buffer.from(olderKey, 'hex')));
  });

  it('refuses weak keys, naming the variable, in both languages', () => {
    const weak = [
      '0'.repeat(64), // all zeros
      'ab'.repeat(32), // one byte value
      '0123456789abcdef'.repeat(4), // a short pattern repeated
      Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex'), // counting
    ];
    for (const key of weak) {
      let refused: unknown;
      try {
        loadKeyRing({ secretKey: key, secretKeyFile: join(dir, 'x'), mode: 'production' });
      } catch (error) {
        refused = error;
      }
      expect(refused, key).to.be.instanceOf(ConfigError);
      expect((refused as ConfigError).variable).to.equal('HUB_SECRET_KEY');
      expect((refused as Error).message).to.match(/weak key.*openssl rand -hex 32/);
      expect((refused as Error).message).to.contain('弱い鍵');
    }
    expect(() =>
      loadKeyRing({
        secretKey: Buffer.alloc(16, 0x5a).toString('hex'),
        secretKeyFile: join(dir, 'x'),
        mode: 'production',
      }),
    ).to.throw(ConfigError, /HUB_SECRET_KEY/);
    const file = join(dir, 'weak.key');
    writeFileSync(file, `${'0'.repeat(64)}\n`, { mode: 0o600 });
    expect(() => loadKeyRing({ secretKeyFile: file, mode: 'production' })).to.throw(
      ConfigError,
      /HUB_SECRET_KEY_FILE: line 1 .*weak key/,
    );
    expect(weakKeyProblem(Buffer.from(hexKey, 'hex'))).to.equal(undefined);
    expect(weakKeyProblem(Buffer.from(olderKey, 'hex'))).to.equal(undefined);
  });

  it('hashes under the current key and finds hashers for older keys', () => {
    const ring = createKeyRing([Buffer.alloc(32, 1), Buffer.alloc(32, 2)]);
    const old = ring.ids[1] ?? '';
    expect(ring.hasher().hash('subject', 'x')).not.to.equal(
      ring.hasherFor(old)?.hash('subject', 'x'),
    );
    expect(ring.hasherFor('00000000')).to.equal(undefined);
  });
});
