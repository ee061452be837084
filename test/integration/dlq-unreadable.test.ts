import { expect } from 'chai';
import { flowsDirFor } from '../support/flows.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../hub/config.js';
import { deadLettersPlugin } from '../../hub/dead-letters/http.js';
import type { ReplayReport } from '../../hub/dead-letters/replay.js';
import { createDeadLetterRepository, type NewDeadLetter } from '../../hub/store/dead-letters.js';
import { createDeadLetterService } from '../../hub/dead-letters/service.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import { createKeyRing } from '../../hub/security/keys.js';
import type { Store } from '../../hub/store/types.js';
import { sampleMessage } from '../../schemas/sample.js';
import { createVhost, eventually, type TestVhost } from '../support/broker.js';
import { testCatalogue } from '../support/catalogue.js';
import { withStores } from '../support/db.js';
import { recordingSink } from '../support/engine-harness.js';

function letter(n: number, type: string, step: string, body: unknown): NewDeadLetter {
  return {
    dedupeKey: `unreadable-${String(n)}`,
    messageId: `unreadable-m${String(n)}`,
    messageType: type,
    route: 'affair-1',
    step,
    originalExchange: 'hub.events',
    originalRoutingKey: type,
    originalQueue: `hub.step.${step}`,
    reasonClass: 'connector',
    reasonJa: '連携先が応答しません',
    reasonEn: 'the system did not answer',
    detail: null,
    attempts: 1,
    headers: {},
    properties: { type },
    payload: Buffer.from(JSON.stringify(body)),
    correlationId: null,
    sourceSystem: 'KIZON_JUKI',
    subjectHash: null,
    firstFailedAt: null,
    deadLetteredAt: new Date(),
  };
}

/** One damaged byte in the stored (sealed) payload, as a disk or a careless UPDATE would leave it. */
async function corrupt(store: Store, id: number): Promise<void> {
  const row: { payload: Buffer } = await store
    .knex('dead_letters')
    .where('id', id)
    .first('payload');
  const damaged = Buffer.from(row.payload);
  damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0x01;
  await store.knex('dead_letters').where('id', id).update({ payload: damaged });
}

/** Unhandled rejections while `work` runs (each one would end a hub process). */
async function rejectionsDuring(work: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', record);
  try {
    await work();
    // Rejections are reported after the microtask queue drains: give them a turn.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', record);
  }
  return seen;
}

describe('a dead letter that cannot be decrypted is an error of that letter only', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore }) => {
    it('a dry run reports it failed, goes on with the others and flags it unreadable', async () => {
      const store = await openFreshStore();
      const keyRing = createKeyRing([randomBytes(32)]);
      const service = createDeadLetterService({
        store: store,
        keyRing,
        replay: { catalogue: testCatalogue() },
      });
      const ids: number[] = [];
      for (let n = 1; n <= 4; n += 1) {
        const body = { subject: `s${String(n)}`, seq: n, value: n };
        // Letter 3 sealed under a key this process does not hold (a rotation elsewhere).
        const repository =
          n === 3
            ? createDeadLetterRepository(store, createKeyRing([randomBytes(32)]))
            : service.repository;
        ids.push(
          (await repository.insert(letter(n, 'test.item.recorded', 'test.deliver', body))).id,
        );
      }
      await corrupt(store, ids[1]!);

      let report: ReplayReport | undefined;
      const rejections = await rejectionsDuring(async () => {
        report = await service.replay({
          ids,
          dryRun: true,
          actor: { name: 'aud1', role: 'auditor' },
        });
      });
      expect(rejections).to.deep.equal([]);
      expect(report!.items.map((item) => [item.id, item.status])).to.deep.equal([
        [ids[0], 'would-publish'],
        [ids[1], 'failed'],
        [ids[2], 'failed'],
        [ids[3], 'would-publish'],
      ]);
      const failed = report!.items.filter((item) => item.status === 'failed');
      for (const item of failed) {
        expect(item.code).to.equal('HUB_DEAD_LETTER_UNREADABLE');
        expect(item.problem?.en).to.contain('cannot be decrypted');
        expect(item.problem?.ja).to.contain('復号できません');
      }
      expect(failed[1]?.problem?.en).to.contain('no such key');

      // Lists and views show it; the view answers instead of throwing.
      const listed = await service.list({ ids, status: 'all' });
      expect(
        listed
          .filter((entry) => entry.unreadable !== null)
          .map((entry) => entry.id)
          .sort(),
      ).to.deep.equal([ids[1], ids[2]]);
      const view = await service.show(ids[1]!);
      expect(view.unreadable?.code).to.equal('HUB_DEAD_LETTER_UNREADABLE');
      expect(view.body).to.contain('復号できません');
      expect(view.letter.unreadable).to.not.equal(null);

      // The damage repaired (the byte restored): readable again, and the flag clears.
      await corrupt(store, ids[1]!);
      expect(JSON.parse((await service.repository.payload(ids[1]!))!.toString())).to.include({
        seq: 2,
      });
      expect((await service.repository.get(ids[1]!))!.unreadable).to.equal(null);
    });
  });
});

describe('a running hub with an undecryptable dead letter', function () {
  this.timeout(120_000);
  const password = 'correct horse battery';
  const basic = (user: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const sink = recordingSink('TEST_SYSTEM');
  const step = 'dlq-unreadable.deliver';
  let vhost: TestVhost;
  let hub: RunningHub;
  let base: string;

  before(async () => {
    vhost = await createVhost('hub-dlq-unreadable');
    hub = await startHub(
      loadConfig({
        HUB_FLOWS_DIR: flowsDirFor(
          [
            {
              route: 'affair-1',
              name: step,
              input: ['resident.movement.recorded'],
              output: { kind: 'deliver', system: 'TEST_SYSTEM' },
              retry: { maxAttempts: 1 },
            },
          ],
          [sink],
        ),
        HUB_AMQP_URL: vhost.url,
        HUB_HTTP_PORT: '0',
        HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-dlq-unreadable-')),
        HUB_SIMULATORS: 'off',
      }),
      {
        plugins: [deadLettersPlugin],
        sinks: [sink],
      },
    );
    const credentials = storeCredentials(hub.store, { bcryptRounds: 4 });
    await credentials.addUser('op1', password, 'operator');
    await credentials.addUser('aud1', password, 'auditor');
    base = `http://127.0.0.1:${String(hub.httpPort)}`;
  });

  after(async () => {
    await hub.stop();
    await vhost.delete();
  });

  it('answers an error for that letter, replays the others and stays ready', async () => {
    const repository = createDeadLetterRepository(hub.store, hub.keyRing);
    const ids: number[] = [];
    for (let n = 1; n <= 3; n += 1) {
      const body = sampleMessage('resident.movement.recorded', n);
      ids.push((await repository.insert(letter(n, 'resident.movement.recorded', step, body))).id);
    }
    await corrupt(hub.store, ids[1]!);
    const replay = (user: string, dryRun: boolean) =>
      fetch(`${base}/api/dead-letters/replay`, {
        method: 'POST',
        headers: { authorization: basic(user), 'content-type': 'application/json' },
        body: JSON.stringify({ ids, dryRun, reason: 'after the outage' }),
      });

    let dry: ReplayReport | undefined;
    let real: ReplayReport | undefined;
    let shown: { unreadable?: { code: string; en: string; ja: string }; body: unknown } = {
      body: null,
    };
    const rejections = await rejectionsDuring(async () => {
      // The auditor's dry run: the finding's crash.
      const answer = await replay('aud1', true);
      expect(answer.status).to.equal(200);
      dry = (await answer.json()) as ReplayReport;
      const view = await fetch(`${base}/api/dead-letters/${String(ids[1])}`, {
        headers: { authorization: basic('aud1') },
      });
      expect(view.status).to.equal(200);
      shown = (await view.json()) as typeof shown;
      const sent = await replay('op1', false);
      expect(sent.status).to.equal(200);
      real = (await sent.json()) as ReplayReport;
    });
    expect(rejections).to.deep.equal([]);
    expect(dry!.items.map((item) => item.status)).to.deep.equal([
      'would-publish',
      'failed',
      'would-publish',
    ]);
    expect(dry!.items[1]?.code).to.equal('HUB_DEAD_LETTER_UNREADABLE');
    expect(shown.unreadable?.en).to.contain(`dead letter ${String(ids[1])} cannot be decrypted`);
    expect(shown.unreadable?.ja).to.contain('復号できません');
    expect(real!.published).to.equal(2);
    expect(real!.failed).to.equal(1);
    await eventually(() => sink.applied.size === 2, 20_000, 'the two readable letters delivered');

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).to.equal(200);
    const listed = await fetch(`${base}/api/dead-letters?status=all`, {
      headers: { authorization: basic('aud1') },
    });
    const items = ((await listed.json()) as { items: { id: number; unreadable: boolean }[] }).items;
    expect(items.find((item) => item.id === ids[1])?.unreadable).to.equal(true);
    expect(items.find((item) => item.id === ids[0])?.unreadable).to.equal(false);
  });
});
