import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { addKeyToFile, createKeyRing, keyIdOf, loadKeyRing, parseKey } from './keys.js';

const hexKey = 'a'.repeat(64);

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
    const older = 'b'.repeat(64);
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

  it('adds a new current key to the file for rotation', () => {
    const file = join(dir, 'ring.key');
    const { keyRing: before } = loadKeyRing({ secretKeyFile: file, mode: 'demo' });
    const { keyId } = addKeyToFile(file);
    const { keyRing: after } = loadKeyRing({ secretKeyFile: file, mode: 'production' });
    expect(after.current.id).to.equal(keyId);
    expect(after.ids).to.deep.equal([keyId, before.current.id]);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(readFileSync(file, 'utf8').split('\n')[0]).to.match(/^[0-9a-f]{64}$/);
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
