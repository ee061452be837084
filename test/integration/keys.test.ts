import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDeadLetterRepository,
  type NewDeadLetter,
} from '../../hub/dead-letters/repository.js';
import { createKeyRing, loadKeyRing, parseKey } from '../../hub/security/keys.js';
import { openStore } from '../../hub/store/index.js';
import { runCli } from '../support/run-cli.js';

const secret = '{"myNumber":"123456789018","name":"山田　太郎"}';

/** A static ring of the keys the file holds now (it does not follow later changes). */
function onlyKeysOf(file: string) {
  const keys = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^[0-9a-f]{64}$/.test(line.trim()))
    .map((line) => parseKey(line) ?? Buffer.alloc(0));
  return createKeyRing(keys);
}

function letter(index: number): NewDeadLetter {
  return {
    dedupeKey: `k-${String(index)}`,
    messageId: `m-${String(index)}`,
    messageType: 'resident.movement.recorded.tokutei',
    route: 'affair-1',
    step: 'affair-1.x',
    originalExchange: 'hub.events',
    originalRoutingKey: 'resident.movement.recorded.tokutei',
    originalQueue: 'hub.step.affair-1.x',
    reasonClass: 'connector',
    reasonJa: '連携先が応答しません',
    reasonEn: 'the system did not answer',
    detail: null,
    attempts: 5,
    headers: {},
    properties: {},
    payload: Buffer.from(secret),
    correlationId: null,
    sourceSystem: 'KIZON_JUKI',
    subjectHash: null,
    firstFailedAt: null,
    deadLetteredAt: new Date(),
  };
}

describe('stored payloads at rest and hub keys rotate', function () {
  this.timeout(60_000);

  it('keeps payloads unreadable without the key, and re-encrypts them all under a new key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-keys-'));
    const env = {
      HUB_DATA_DIR: dataDir,
      HUB_DB_URL: `sqlite:${join(dataDir, 'hub.sqlite')}`,
      HUB_SECRET_KEY_FILE: join(dataDir, 'secret.key'),
    };
    loadKeyRing({ secretKeyFile: env.HUB_SECRET_KEY_FILE, mode: 'demo' });
    // The old key alone, as a ring that does not follow the file.
    const before = onlyKeysOf(env.HUB_SECRET_KEY_FILE);
    const store = await openStore(env.HUB_DB_URL);
    try {
      const repository = createDeadLetterRepository(store.knex, before);
      for (let index = 0; index < 5; index += 1) await repository.insert(letter(index));
      // At rest: neither the My Number nor the name is in the stored bytes.
      const raw: { payload: Buffer; key_id: string }[] = await store
        .knex('dead_letters')
        .select('payload', 'key_id');
      expect(raw).to.have.length(5);
      for (const row of raw) {
        expect(row.key_id).to.equal(before.current.id);
        expect(Buffer.from(row.payload).includes(Buffer.from('123456789018'))).to.equal(false);
        expect(Buffer.from(row.payload).includes(Buffer.from('山田'))).to.equal(false);
      }
      // Without the key: another key cannot open it.
      const stranger = createKeyRing([randomBytes(32)]);
      const first: { id: number } | undefined = await store.knex('dead_letters').first('id');
      const id = first?.id ?? 0;
      let refused: unknown;
      try {
        await createDeadLetterRepository(store.knex, stranger).payload(id);
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(Error);
      expect(String(refused)).to.not.include('123456789018');
    } finally {
      await store.close();
    }

    const result = await runCli(['keys', 'rotate'], { env });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('re-encrypted 5 stored payload(s)');

    const after = loadKeyRing({
      secretKeyFile: env.HUB_SECRET_KEY_FILE,
      mode: 'production',
    }).keyRing;
    expect(after.current.id).to.not.equal(before.current.id);
    expect(after.ids).to.include(before.current.id);
    const reopened = await openStore(env.HUB_DB_URL);
    try {
      const rows: { id: number; key_id: string }[] = await reopened
        .knex('dead_letters')
        .select('id', 'key_id');
      expect(rows.every((row) => row.key_id === after.current.id)).to.equal(true);
      const repository = createDeadLetterRepository(reopened.knex, after);
      for (const row of rows)
        expect((await repository.payload(row.id))?.toString()).to.equal(secret);
      // The old key alone can no longer open the rotated rows.
      let refused: unknown;
      try {
        await createDeadLetterRepository(reopened.knex, before).payload(rows[0]?.id ?? 0);
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(Error);
      const actions: { action: string }[] = await reopened
        .knex('operator_actions')
        .select('action');
      expect(actions.map((row) => row.action)).to.include('keys.rotate');
    } finally {
      await reopened.close();
    }
  });

  it('refuses to rotate a key given in HUB_SECRET_KEY, saying what to do instead', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-keys-'));
    const result = await runCli(['keys', 'rotate'], {
      env: { HUB_DATA_DIR: dataDir, HUB_SECRET_KEY: 'cd'.repeat(32) },
    });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('hub keys reencrypt');
  });
});
