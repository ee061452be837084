import { expect } from 'chai';
import { flowsDirFor } from '../support/flows.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDeadLetterRepository,
  ReencryptionError,
  UnreadableLetterError,
  type NewDeadLetter,
} from '../../hub/store/dead-letters.js';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import { loadConfig } from '../../hub/config.js';
import { deadLettersPlugin } from '../../hub/dead-letters/http.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { startHub } from '../../hub/main.js';
import { createKeyRing, loadKeyRing, parseKey } from '../../hub/security/keys.js';
import { openStore } from '../../hub/store/index.js';
import { createVhost, eventually } from '../support/broker.js';
import { recordingSink } from '../support/engine-harness.js';
import { withStores } from '../support/db.js';
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
      const repository = createDeadLetterRepository(store, before);
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
        await createDeadLetterRepository(store, stranger).payload(id);
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(UnreadableLetterError);
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
      const repository = createDeadLetterRepository(reopened, after);
      for (const row of rows)
        expect((await repository.payload(row.id))?.toString()).to.equal(secret);
      // The old key alone can no longer open the rotated rows.
      let refused: unknown;
      try {
        await createDeadLetterRepository(reopened, before).payload(rows[0]?.id ?? 0);
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(UnreadableLetterError);
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

/** A data directory with a demo key file and a migrated SQLite store holding `count` letters. */
async function setUp(count: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-keys-'));
  const env = {
    HUB_DATA_DIR: dataDir,
    HUB_DB_URL: `sqlite:${join(dataDir, 'hub.sqlite')}`,
    HUB_SECRET_KEY_FILE: join(dataDir, 'secret.key'),
  };
  const { keyRing } = loadKeyRing({ secretKeyFile: env.HUB_SECRET_KEY_FILE, mode: 'demo' });
  const store = await openStore(env.HUB_DB_URL);
  const ids: number[] = [];
  try {
    const repository = createDeadLetterRepository(store, keyRing);
    for (let index = 0; index < count; index += 1) {
      ids.push((await repository.insert(letter(index))).id);
    }
  } finally {
    await store.close();
  }
  return { env, ids, oldKey: keyRing.current.id };
}

const fileRing = (file: string) => loadKeyRing({ secretKeyFile: file, mode: 'production' }).keyRing;

describe('hub keys rotate: atomic, after a purge, with a hub running', function () {
  this.timeout(120_000);

  it('rotates after a purge: purged rows are left alone, the rest re-encrypted', async () => {
    const { env, ids, oldKey } = await setUp(4);
    const store = await openStore(env.HUB_DB_URL);
    try {
      const repository = createDeadLetterRepository(store, fileRing(env.HUB_SECRET_KEY_FILE));
      await repository.purge(new Date(Date.now() + 1000), { ids: ids.slice(0, 2) });
    } finally {
      await store.close();
    }
    const result = await runCli(['keys', 'rotate'], { env });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('re-encrypted 2 stored payload(s)');
    const after = fileRing(env.HUB_SECRET_KEY_FILE);
    expect(after.current.id).to.not.equal(oldKey);
    const reopened = await openStore(env.HUB_DB_URL);
    try {
      const repository = createDeadLetterRepository(reopened, after);
      for (const id of ids.slice(2)) {
        expect((await repository.payload(id))?.toString()).to.equal(secret);
      }
      const rows = (await reopened
        .knex('dead_letters')
        .select('id', 'key_id', 'status')
        .orderBy('id')) as { id: number; key_id: string; status: string }[];
      expect(rows.map((row) => [row.status, row.key_id === after.current.id])).to.deep.equal([
        ['purged', false],
        ['purged', false],
        ['open', true],
        ['open', true],
      ]);
    } finally {
      await reopened.close();
    }
    const status = await runCli(['keys', 'status', '--json'], { env });
    expect(status.code, status.stderr).to.equal(0);
    const keys = (JSON.parse(status.stdout) as { keys: { id: string; payloads: number }[] }).keys;
    expect(keys.find((key) => key.id === after.current.id)?.payloads).to.equal(2);
    expect(keys.find((key) => key.id === oldKey)?.payloads).to.equal(0);
  });

  it('a failure in the middle leaves the old key current and every letter as it was', async () => {
    const { env, ids, oldKey } = await setUp(5);
    const store = await openStore(env.HUB_DB_URL);
    const damagedId = ids[2]!;
    let original: Buffer;
    try {
      const row: { payload: Buffer } = await store
        .knex('dead_letters')
        .where('id', damagedId)
        .first('payload');
      original = Buffer.from(row.payload);
      const damaged = Buffer.from(original);
      damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0x01;
      await store.knex('dead_letters').where('id', damagedId).update({ payload: damaged });
    } finally {
      await store.close();
    }
    const keyFileBefore = readFileSync(env.HUB_SECRET_KEY_FILE, 'utf8');

    const failed = await runCli(['keys', 'rotate'], { env });
    expect(failed.code).to.equal(1);
    expect(failed.stderr).to.contain(`ids ${String(damagedId)}`);
    expect(failed.stderr).to.contain('現用鍵');
    // The key file as it was: the old key current, no pending key left behind.
    expect(readFileSync(env.HUB_SECRET_KEY_FILE, 'utf8')).to.equal(keyFileBefore);
    const ring = fileRing(env.HUB_SECRET_KEY_FILE);
    expect(ring.current.id).to.equal(oldKey);
    expect(ring.ids).to.deep.equal([oldKey]);
    const reopened = await openStore(env.HUB_DB_URL);
    try {
      const rows: { id: number; key_id: string }[] = await reopened
        .knex('dead_letters')
        .select('id', 'key_id');
      // Rows before and after the damaged one were not left re-encrypted under a key that is gone.
      expect(rows.every((row) => row.key_id === oldKey)).to.equal(true);
      const repository = createDeadLetterRepository(reopened, ring);
      for (const id of ids.filter((id) => id !== damagedId)) {
        expect((await repository.payload(id))?.toString()).to.equal(secret);
      }
      expect((await repository.get(damagedId))?.unreadable).to.not.equal(null);
    } finally {
      await reopened.close();
    }

    // With --skip-unreadable the damaged one stays as it is and the others move.
    const skipped = await runCli(['keys', 'rotate', '--skip-unreadable'], { env });
    expect(skipped.code, skipped.stderr).to.equal(0);
    const after = fileRing(env.HUB_SECRET_KEY_FILE);
    expect(after.current.id).to.not.equal(oldKey);
    const last = await openStore(env.HUB_DB_URL);
    try {
      const rows = (await last.knex('dead_letters').select('id', 'key_id').orderBy('id')) as {
        id: number;
        key_id: string;
      }[];
      expect(rows.filter((row) => row.key_id === oldKey).map((row) => row.id)).to.deep.equal([
        damagedId,
      ]);
      await last.knex('dead_letters').where('id', damagedId).update({ payload: original! });
      expect(
        (await createDeadLetterRepository(last, after).payload(damagedId))?.toString(),
      ).to.equal(secret);
    } finally {
      await last.close();
    }
  });

  it('a running hub reads letters written after a rotation by another process, then writes under the new key', async () => {
    const { env, oldKey } = await setUp(1);
    const vhost = await createVhost('hub-keys-live');
    const sink = recordingSink('TEST_SYSTEM');
    const hub = await startHub(
      loadConfig({
        HUB_FLOWS_DIR: flowsDirFor(
          [
            {
              route: 'affair-1',
              name: 'keys-live.deliver',
              input: ['resident.movement.recorded'],
              output: { kind: 'deliver', system: 'TEST_SYSTEM' },
              retry: { maxAttempts: 1 },
            },
          ],
          [sink],
        ),
        ...env,
        HUB_AMQP_URL: vhost.url,
        HUB_HTTP_PORT: '0',
        HUB_SIMULATORS: 'off',
        // No periodic check: what is shown is the reload on an unknown key id (reading) and the
        // look at the file before sealing (writing), besides SIGHUP.
        HUB_KEY_RELOAD_MS: '0',
      }),
      {
        plugins: [deadLettersPlugin],
        sinks: [sink],
      },
    );
    try {
      await storeCredentials(hub.store, { bcryptRounds: 4 }).addUser(
        'aud1',
        'correct horse battery',
        'auditor',
      );
      expect(hub.keyRing.current.id).to.equal(oldKey);
      const rotated = await runCli(['keys', 'rotate'], { env });
      expect(rotated.code, rotated.stderr).to.equal(0);
      const newKey = fileRing(env.HUB_SECRET_KEY_FILE).current.id;
      expect(newKey).to.not.equal(oldKey);

      // Another replica, started after the rotation, archives a letter under the new key.
      const other = createDeadLetterRepository(hub.store, fileRing(env.HUB_SECRET_KEY_FILE));
      const { id } = await other.insert({ ...letter(99), dedupeKey: 'written-after-rotation' });
      const view = await fetch(
        `http://127.0.0.1:${String(hub.httpPort)}/api/dead-letters/${String(id)}`,
        {
          headers: {
            authorization: `Basic ${Buffer.from('aud1:correct horse battery').toString('base64')}`,
          },
        },
      );
      expect(view.status).to.equal(200);
      const shown = (await view.json()) as { unreadable?: unknown; body: unknown };
      expect(shown.unreadable).to.equal(undefined);
      // Decrypted (a body with its fields, masked), not "unreadable".
      expect(shown.body).to.be.an('object').that.has.property('myNumber');
      expect(JSON.stringify(shown.body)).to.not.contain('123456789018');

      // SIGHUP (or the periodic check): the hub's own writes go under the new key.
      process.emit('SIGHUP', 'SIGHUP');
      expect(hub.keyRing.current.id).to.equal(newKey);
      await hub.broker.publisher.publish(
        EVENTS_EXCHANGE,
        'resident.movement.recorded',
        Buffer.from(JSON.stringify({ lgCode: '131016' })),
        { messageId: 'invalid-after-rotation', type: 'resident.movement.recorded' },
      );
      let keyId: string | undefined;
      await eventually(
        async () => {
          const row: { key_id: string } | undefined = await hub.store
            .knex('dead_letters')
            .where('message_id', 'invalid-after-rotation')
            .first('key_id');
          keyId = row?.key_id;
          return keyId !== undefined;
        },
        20_000,
        'the invalid message archived as a dead letter',
      );
      expect(keyId).to.equal(newKey);
    } finally {
      await hub.stop();
      await vhost.delete();
    }
  });
});

describe('re-encryption is one transaction on every store', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore, kind }) => {
    it(`all or nothing, skipping purged rows (${kind})`, async () => {
      const store = await openFreshStore();
      const oldRaw = randomBytes(32);
      const newRaw = randomBytes(32);
      const before = createKeyRing([oldRaw]);
      // The ring during a rotation: the old key current, the new one pending.
      const during = createKeyRing([oldRaw], [newRaw]);
      const target = during.pendingIds[0]!;
      const repository = createDeadLetterRepository(store, before);
      const ids: number[] = [];
      for (let index = 0; index < 5; index += 1) {
        ids.push((await repository.insert(letter(index))).id);
      }
      await repository.purge(new Date(Date.now() + 1000), { ids: [ids[4]!] });
      const row: { payload: Buffer } = await store
        .knex('dead_letters')
        .where('id', ids[2]!)
        .first('payload');
      const original = Buffer.from(row.payload);
      const damaged = Buffer.from(original);
      damaged[20] = (damaged[20] ?? 0) ^ 0x80;
      await store.knex('dead_letters').where('id', ids[2]!).update({ payload: damaged });

      const rotating = createDeadLetterRepository(store, during);
      let refused: unknown;
      try {
        await rotating.reencryptAll({ targetKeyId: target, batchSize: 2 });
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(ReencryptionError);
      expect((refused as ReencryptionError).unreadableIds).to.deep.equal([ids[2]]);
      const keyIds = async () =>
        (
          (await store.knex('dead_letters').select('key_id').orderBy('id')) as { key_id: string }[]
        ).map((entry) => entry.key_id);
      // Rows 0 and 1 (the batch before the damaged one) were rolled back too.
      expect(await keyIds()).to.deep.equal(Array(5).fill(before.current.id));
      for (const id of [ids[0]!, ids[1]!, ids[3]!]) {
        expect((await repository.payload(id))?.toString()).to.equal(secret);
      }
      expect((await repository.get(ids[2]!))?.unreadable).to.not.equal(null);

      await store.knex('dead_letters').where('id', ids[2]!).update({ payload: original });
      const result = await rotating.reencryptAll({ targetKeyId: target, batchSize: 2 });
      expect(result).to.deep.equal({ rewritten: 4, current: 4, unreadable: [] });
      const old = before.current.id;
      expect(await keyIds()).to.deep.equal([target, target, target, target, old]);
      const after = createKeyRing([newRaw]);
      for (const id of ids.slice(0, 4)) {
        expect((await createDeadLetterRepository(store, after).payload(id))?.toString()).to.equal(
          secret,
        );
      }
    });
  });
});
