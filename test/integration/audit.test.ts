import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createOperatorLog, GENESIS_HASH } from '../../hub/audit/operator-log.js';
import {
  createDeadLetterRepository,
  type NewDeadLetter,
} from '../../hub/dead-letters/repository.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { withStores } from '../support/db.js';

function letter(n: number, at: Date, extra: Partial<NewDeadLetter> = {}): NewDeadLetter {
  return {
    dedupeKey: `key-${String(n)}`,
    messageId: `m-${String(n)}`,
    messageType: 'test.item.recorded',
    route: n % 2 === 0 ? 'affair-1' : 'affair-2',
    step: 'test.deliver',
    originalExchange: 'hub.events',
    originalRoutingKey: 'test.item.recorded',
    originalQueue: 'hub.step.test.deliver',
    reasonClass: n % 2 === 0 ? 'connector' : 'validation',
    reasonJa: '理由',
    reasonEn: 'reason',
    detail: null,
    attempts: 1,
    headers: { 'x-hub-step': 'test.deliver' },
    properties: { type: 'test.item.recorded' },
    payload: Buffer.from(JSON.stringify({ n })),
    correlationId: `c-${String(n)}`,
    sourceSystem: 'KIZON_JUKI',
    subjectHash: null,
    firstFailedAt: at,
    deadLetteredAt: at,
    ...extra,
  };
}

describe('operator log: hash chain', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore, kind }) => {
    it('chains appends from the seed and verifies OK', async () => {
      const store = await openFreshStore();
      const log = createOperatorLog(store.knex);
      const first = await log.append({
        actor: 'op1',
        role: 'operator',
        action: 'dead-letter.unmask',
        target: 'dead-letter:1',
        reason: '調査のため',
        detail: { messageId: 'm-1' },
      });
      const second = await log.append({
        actor: 'op1',
        role: 'operator',
        action: 'dead-letter.purge',
      });
      expect(first.prevHash).to.equal(GENESIS_HASH);
      expect(second.prevHash).to.equal(first.hash);
      const verdict = await log.verify();
      expect(verdict).to.deep.equal({ ok: true, rows: 2, lastHash: second.hash });
    });

    it(`concurrent appenders do not fork the chain (${kind})`, async () => {
      const store = await openFreshStore();
      // Two independent log instances, as two hub replicas or a CLI next to the hub would be.
      const a = createOperatorLog(store.knex);
      const b = createOperatorLog(store.knex);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 === 0 ? a : b).append({
            actor: `op${String(i)}`,
            role: 'operator',
            action: 'dead-letter.replay',
          }),
        ),
      );
      const rows = await a.list();
      expect(rows.map((row) => row.seq)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(new Set(rows.map((row) => row.prevHash)).size).to.equal(30);
      expect((await a.verify()).ok).to.equal(true);
    });

    it('names the first altered row, and a missing row', async () => {
      const store = await openFreshStore();
      const log = createOperatorLog(store.knex);
      for (let i = 0; i < 4; i += 1) {
        await log.append({
          actor: 'op1',
          role: 'operator',
          action: 'dead-letter.replay',
          reason: `r${String(i)}`,
        });
      }
      await store.knex('operator_actions').where('seq', 2).update({ reason: 'something else' });
      const altered = await log.verify();
      expect(altered).to.include({ ok: false, seq: 2, problem: 'altered' });
      await store.knex('operator_actions').where('seq', 2).update({ reason: 'r1' });
      expect((await log.verify()).ok).to.equal(true);

      await store.knex('operator_actions').where('seq', 3).delete();
      const missing = await log.verify();
      expect(missing).to.include({ ok: false, seq: 4, problem: 'missing' });
      if (!missing.ok) expect(missing.ja).to.contain('欠落');
    });
  });
});

describe('dead-letter repository', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore }) => {
    it('stores once per dedupe key, filters, counts, seals and purges by age', async () => {
      const store = await openFreshStore();
      const repository = createDeadLetterRepository(store.knex, createKeyRing([randomBytes(32)]));
      const old = new Date('2026-01-01T00:00:00.000Z');
      const recent = new Date('2026-11-27T00:00:00.000Z');
      const first = await repository.insert(letter(1, old));
      expect(first.inserted).to.equal(true);
      expect((await repository.insert(letter(1, old))).inserted).to.equal(false);
      await repository.insert(letter(2, recent));
      await repository.insert(letter(3, recent, { sourceSystem: 'TOUGOU_ATENA' }));

      expect((await repository.list()).map((l) => l.id)).to.have.length(3);
      expect((await repository.list({ route: 'affair-1' })).map((l) => l.messageId)).to.deep.equal([
        'm-2',
      ]);
      expect(
        (await repository.list({ reasonClass: 'validation' })).map((l) => l.messageId).sort(),
      ).to.deep.equal(['m-1', 'm-3']);
      expect((await repository.list({ since: new Date('2026-06-01T00:00:00Z') })).length).to.equal(
        2,
      );
      expect(
        (await repository.list({ correlationId: 'c-3' })).map((l) => l.messageId),
      ).to.deep.equal(['m-3']);
      expect((await repository.list({ sourceSystem: 'TOUGOU_ATENA' })).length).to.equal(1);
      const counts = await repository.counts();
      expect(counts).to.deep.include({ route: 'affair-2', reasonClass: 'validation', count: 2 });

      const got = await repository.get(first.id);
      expect(got!.deadLetteredAt.toISOString()).to.equal(old.toISOString());
      expect(JSON.parse((await repository.payload(first.id))!.toString())).to.deep.equal({ n: 1 });

      const purged = await repository.purge(new Date('2026-06-01T00:00:00Z'));
      expect(purged).to.deep.equal([first.id]);
      expect(await repository.payload(first.id)).to.equal(undefined);
      expect((await repository.get(first.id))!.status).to.equal('purged');
      expect((await repository.list()).length).to.equal(2);
    });
  });
});
