import { expect } from 'chai';
import { createKeyRing } from './keys.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt, DecryptionError, encrypt, encryptFile, reencrypt } from './crypto.js';

const oldKey = Buffer.alloc(32, 1);
const newKey = Buffer.alloc(32, 2);
const plaintext = Buffer.from(JSON.stringify({ name: '山田　太郎', myNumber: '123456789018' }));

describe('payload encryption', () => {
  const ring = createKeyRing([oldKey]);

  it('round-trips and packs version, iv, tag and ciphertext', () => {
    const sealed = encrypt(ring, plaintext);
    expect(sealed.keyId).to.equal(ring.current.id);
    expect(sealed.ciphertext[0]).to.equal(1);
    expect(sealed.ciphertext.length).to.equal(1 + 12 + 16 + plaintext.length);
    expect(sealed.ciphertext.includes(Buffer.from('123456789018'))).to.equal(false);
    expect(decrypt(ring, sealed.keyId, sealed.ciphertext).equals(plaintext)).to.equal(true);
  });

  it('seals a file streaming, in the format decrypt opens, mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-crypto-file-'));
    try {
      // Larger than one read chunk, so the body is sealed in several updates.
      const content = Buffer.concat([randomBytes(3 * 1024 * 1024 + 17), plaintext]);
      writeFileSync(join(dir, 'in.dat'), content);
      const target = join(dir, 'out.sealed');
      const aad = Buffer.from('out');
      const { keyId } = await encryptFile(
        ring,
        join(dir, 'in.dat'),
        target,
        Buffer.from('k\n'),
        aad,
      );
      expect(statSync(target).mode & 0o777).to.equal(0o600);
      const sealed = readFileSync(target);
      expect(sealed.subarray(0, 2).toString()).to.equal('k\n');
      expect(sealed.includes(Buffer.from('123456789018'))).to.equal(false);
      expect(decrypt(ring, keyId, sealed.subarray(2), aad).equals(content)).to.equal(true);
      expect(() => decrypt(ring, keyId, sealed.subarray(2), Buffer.from('other'))).to.throw(
        DecryptionError,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses a fresh iv each time', () => {
    expect(
      encrypt(ring, plaintext).ciphertext.equals(encrypt(ring, plaintext).ciphertext),
    ).to.equal(false);
  });

  it('detects tampering anywhere', () => {
    const sealed = encrypt(ring, plaintext);
    for (const position of [0, 5, 20, sealed.ciphertext.length - 1]) {
      const tampered = Buffer.from(sealed.ciphertext);
      tampered[position] = (tampered[position] ?? 0) ^ 1;
      expect(() => decrypt(ring, sealed.keyId, tampered)).to.throw(DecryptionError);
    }
    expect(() => decrypt(ring, sealed.keyId, sealed.ciphertext.subarray(0, 10))).to.throw(
      DecryptionError,
      /too short/,
    );
  });

  it('binds associated data', () => {
    const sealed = encrypt(ring, plaintext, Buffer.from('row-1'));
    expect(decrypt(ring, sealed.keyId, sealed.ciphertext, Buffer.from('row-1')).equals(plaintext))
      .to.be.true;
    expect(() => decrypt(ring, sealed.keyId, sealed.ciphertext, Buffer.from('row-2'))).to.throw(
      DecryptionError,
    );
  });

  it('fails clearly with the wrong key, without plaintext', () => {
    const sealed = encrypt(ring, plaintext);
    const other = createKeyRing([newKey]);
    expect(() => decrypt(other, sealed.keyId, sealed.ciphertext)).to.throw(
      DecryptionError,
      /no such key/,
    );
    const impostor = createKeyRing([newKey]);
    try {
      decrypt(impostor, impostor.current.id, sealed.ciphertext);
      expect.fail('decrypted with the wrong key');
    } catch (error) {
      expect(error).to.be.instanceOf(DecryptionError);
      expect((error as Error).message).to.match(/authentication failed/);
      expect((error as Error).message).not.to.include('123456789018');
      expect((error as DecryptionError).disposition).to.equal('dead-letter');
    }
  });

  it('rotates through the key ring', () => {
    const sealed = encrypt(ring, plaintext, Buffer.from('row-1'));
    const rotated = createKeyRing([newKey, oldKey]);
    expect(
      decrypt(rotated, sealed.keyId, sealed.ciphertext, Buffer.from('row-1')).equals(plaintext),
    ).to.be.true;
    const moved = reencrypt(rotated, sealed.keyId, sealed.ciphertext, Buffer.from('row-1'));
    expect(moved.changed).to.equal(true);
    expect(moved.keyId).to.equal(rotated.current.id);
    const retired = createKeyRing([newKey]);
    expect(decrypt(retired, moved.keyId, moved.ciphertext, Buffer.from('row-1')).equals(plaintext))
      .to.be.true;
    const again = reencrypt(rotated, moved.keyId, moved.ciphertext, Buffer.from('row-1'));
    expect(again.changed).to.equal(false);
  });
});
