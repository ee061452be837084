import { expect } from 'chai';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalJson,
  createOperatorLog,
  GENESIS_HASH,
  type OperatorLog,
} from '../../hub/audit/operator-log.js';
import { createDeadLetterRepository, type NewDeadLetter } from '../../hub/store/dead-letters.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { openStore } from '../../hub/store/index.js';
import type { Store } from '../../hub/store/types.js';
import { withStores } from '../support/db.js';
import { runCli } from '../support/run-cli.js';

const ring = createKeyRing([randomBytes(32)]);

interface StoredRow {
  seq: number | string;
  at: unknown;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  reason: string | null;
  detail_json: string | null;
  key_id: string | null;
}

/**
 * What an attacker with write access to the table but without the hub's key can do: change rows and
 * recompute every link of the chain, with a plain SHA-256 or with an HMAC under a key of their own.
 */
async function forgeChain(
  store: Store,
  change: (row: StoredRow) => StoredRow,
  mac?: Buffer,
): Promise<void> {
  const rows = (await store.knex('operator_actions').select('*').orderBy('seq')) as StoredRow[];
  await store.knex('operator_actions').update({ hash: store.knex.raw('seq') });
  let prev = GENESIS_HASH;
  for (const original of rows) {
    const row = change(original);
    const fields = {
      seq: Number(row.seq),
      at: new Date(row.at as string | number | Date).toISOString(),
      actor: row.actor,
      role: row.role,
      action: row.action,
      target: row.target,
      reason: row.reason,
      detail: row.detail_json,
    };
    const hash =
      mac === undefined
        ? createHash('sha256').update(prev).update(canonicalJson(fields)).digest('hex')
        : createHmac('sha256', mac)
            .update(prev)
            .update(canonicalJson({ ...fields, keyId: row.key_id }))
            .digest('hex');
    await store
      .knex('operator_actions')
      .where('seq', row.seq)
      .update({ actor: row.actor, reason: row.reason, prev_hash: prev, hash });
    prev = hash;
  }
}

async function appendSome(log: OperatorLog, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await log.append({
      actor: 'op1',
      role: 'operator',
      action: 'dead-letter.unmask',
      target: `dead-letter:${String(i + 1)}`,
      reason: `調査 ${String(i)}`,
    });
  }
}

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
      const log = createOperatorLog(store, ring);
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
      expect(verdict).to.deep.equal({
        ok: true,
        rows: 2,
        lastHash: second.hash,
        head: `2:${second.hash}`,
      });
      expect(second.keyId).to.equal(ring.current.id);
    });

    it(`concurrent appenders do not fork the chain (${kind})`, async () => {
      const store = await openFreshStore();
      // Two independent log instances, as two hub replicas or a CLI next to the hub would be.
      const a = createOperatorLog(store, ring);
      const b = createOperatorLog(store, ring);
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

    it('stores what an operator types masked: a My Number in the reason, target or detail', async () => {
      const store = await openFreshStore();
      const log = createOperatorLog(store, ring);
      await log.append({
        actor: 'op1',
        role: 'operator',
        action: 'dead-letter.unmask',
        target: 'dead-letter:123456789018',
        reason: '本人 1234 5678 9018 の調査',
        detail: { note: '1234-5678-9018' },
      });
      const rows: { target: string; reason: string; detail_json: string }[] = await store
        .knex('operator_actions')
        .select('target', 'reason', 'detail_json');
      const stored = JSON.stringify(rows);
      expect(stored).to.not.match(/1234\D{0,3}5678\D{0,3}9018|123456789018/);
      expect(rows[0]?.reason).to.include('の調査');
      expect((await log.verify()).ok).to.equal(true);
    });

    it('names the first altered row, and a missing row', async () => {
      const store = await openFreshStore();
      const log = createOperatorLog(store, ring);
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

    it('refuses a log rewritten and re-chained by someone without the key', async () => {
      const store = await openFreshStore();
      const log = createOperatorLog(store, ring);
      await appendSome(log, 4);
      expect((await log.verify()).ok).to.equal(true);
      const hide = (row: StoredRow) =>
        row.seq === 2 ? { ...row, actor: 'someone-else', reason: 'routine' } : row;
      // A plain SHA-256 chain, as the log was before it was keyed: every link recomputed.
      await forgeChain(store, hide);
      const plain = await log.verify();
      expect(plain).to.include({ ok: false, seq: 1, problem: 'altered' });
      // Claiming rows are from before the keyed log (no key id) does not help either.
      await store.knex('operator_actions').update({ key_id: null });
      await forgeChain(store, (row) => ({ ...hide(row), key_id: null }));
      expect(await log.verify()).to.include({ ok: false, seq: 1, problem: 'unkeyed' });
      // An HMAC under a key of the attacker's own, with the real key id.
      await store.knex('operator_actions').update({ key_id: ring.current.id });
      await forgeChain(store, hide, randomBytes(32));
      const guessed = await log.verify();
      expect(guessed).to.include({ ok: false, seq: 1, problem: 'altered' });
      if (!guessed.ok) expect(guessed.ja).to.contain('改ざん');
    });

    it('shows the newest row deleted only against a head kept elsewhere', async () => {
      const store = await openFreshStore();
      const log = createOperatorLog(store, ring);
      await appendSome(log, 3);
      const kept = await log.head();
      expect(kept).to.match(/^3:[0-9a-f]{64}$/);
      // Rows appended after the head was noted are fine.
      await appendSome(log, 1);
      expect(await log.verify({ expectHead: kept })).to.include({ ok: true, rows: 4 });
      await store.knex('operator_actions').where('seq', 4).delete();
      await store.knex('operator_actions').where('seq', 3).delete();
      // Without the kept head the shorter chain is valid; with it, the deletion shows.
      expect((await log.verify()).ok).to.equal(true);
      const verdict = await log.verify({ expectHead: kept });
      expect(verdict).to.include({ ok: false, problem: 'head' });
      if (!verdict.ok) expect(verdict.ja).to.contain('削除');
      expect(await log.verify({ expectHead: 'nonsense' })).to.include({ problem: 'bad-head' });
    });

    it('re-anchors a log chained before it was keyed, and refuses to launder a broken one', async () => {
      const store = await openFreshStore();
      const log = createOperatorLog(store, ring);
      await appendSome(log, 3);
      // The log as an older hub wrote it: plain SHA-256 links, no key id.
      await store.knex('operator_actions').update({ key_id: null });
      await forgeChain(store, (row) => ({ ...row, key_id: null }));
      expect(await log.verify()).to.include({ ok: false, problem: 'unkeyed' });
      const oldHead = await log.head();

      const result = await log.rekey({ name: 'op1', role: 'operator' });
      expect(result).to.deep.equal({ rows: 3, previousHead: oldHead });
      const verdict = await log.verify();
      expect(verdict).to.include({ ok: true, rows: 4 });
      const last = (await log.list()).at(-1);
      expect(last?.action).to.equal('audit.rekey');
      expect(JSON.parse(last?.detailJson ?? '{}')).to.include({ previousHead: oldHead });

      // A legacy chain that does not hold is not re-signed.
      const other = await openFreshStore();
      const otherLog = createOperatorLog(other, ring);
      await appendSome(otherLog, 2);
      await other.knex('operator_actions').update({ key_id: null });
      await forgeChain(other, (row) => ({ ...row, key_id: null }));
      await other.knex('operator_actions').where('seq', 1).update({ reason: 'changed' });
      let refused: unknown;
      try {
        await otherLog.rekey({ name: 'op1', role: 'operator' });
      } catch (error) {
        refused = error;
      }
      expect(String(refused)).to.contain('row 1');
      expect(await otherLog.verify()).to.include({ ok: false });
    });
  });
});

describe('dead-letter repository', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore }) => {
    it('stores once per dedupe key, filters, counts, seals and purges by age', async () => {
      const store = await openFreshStore();
      const repository = createDeadLetterRepository(store, createKeyRing([randomBytes(32)]));
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

describe('hub audit head and verify --expect-head', function () {
  this.timeout(60_000);

  it('prints the head, and verify with it fails once the newest row is deleted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-audit-'));
    const key = randomBytes(32).toString('hex');
    const env = {
      HUB_DATA_DIR: dataDir,
      HUB_DB_URL: `sqlite:${join(dataDir, 'hub.sqlite')}`,
      HUB_SECRET_KEY: key,
    };
    const store = await openStore(env.HUB_DB_URL);
    try {
      await appendSome(createOperatorLog(store, createKeyRing([Buffer.from(key, 'hex')])), 3);
    } finally {
      await store.close();
    }
    const head = await runCli(['audit', 'head'], { env });
    expect(head.code, head.stderr).to.equal(0);
    const kept = head.stdout.trim();
    expect(kept).to.match(/^3:[0-9a-f]{64}$/);
    const ok = await runCli(['audit', 'verify', '--expect-head', kept], { env });
    expect(ok.code, ok.stderr).to.equal(0);

    const reopened = await openStore(env.HUB_DB_URL);
    try {
      await reopened.knex('operator_actions').where('seq', 3).delete();
    } finally {
      await reopened.close();
    }
    expect((await runCli(['audit', 'verify'], { env })).code).to.equal(0);
    const broken = await runCli(['audit', 'verify', '--expect-head', kept], { env });
    expect(broken.code).to.equal(1);
    expect(broken.stderr).to.contain('removed from the end');
    expect(broken.stderr).to.contain('削除');
    // Another key (an attacker's idea of the hub's key) cannot vouch for the log either.
    const stranger = await runCli(['audit', 'verify'], {
      env: { ...env, HUB_SECRET_KEY: randomBytes(32).toString('hex') },
    });
    expect(stranger.code).to.equal(1);
    expect(stranger.stderr).to.contain('not in the key ring');
  });
});
