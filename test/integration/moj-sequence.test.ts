/**
 * 法務省通知 sequencing in the store, as two hub replicas and a restart see it: every notice is released
 * once, in sequence order, whichever replica releases it; a gap's alert is claimed by one replica; a
 * store opened afresh (a restarted replica) continues from the committed state. On SQLite and MariaDB.
 */
import { expect } from 'chai';
import { mojSequence, type HeldNotice } from '../../hub/store/moj-sequence.js';
import { withStores } from '../support/db.js';

const notice = (seq: number, content = 'a'): HeldNotice => ({
  seq,
  sha256: `${content}${String(seq)}`.padEnd(64, '0'),
  keyId: 'k1',
  sealed: Buffer.from(`sealed ${String(seq)}`).toString('base64'),
});

const range = (from: number, to: number, skip: readonly number[] = []) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index).filter(
    (seq) => !skip.includes(seq),
  );

describe('MOJ notice sequencing across replicas and restarts', function () {
  this.timeout(60_000);
  withStores((context) => {
    it('releases each notice once and in order, holds behind a gap, one replica alerts, a restart resumes', async () => {
      const url = await context.freshDbUrl();
      const storeA = await context.openStoreFor(url);
      const storeB = await context.openStoreFor(url);
      const replicaA = mojSequence(storeA);
      const replicaB = mojSequence(storeB);
      const published: number[] = [];
      const record = (held: HeldNotice) => {
        published.push(held.seq);
        return Promise.resolve();
      };
      const now = new Date();
      // Replicas are processes. On MariaDB two pools in this process race for real; better-sqlite3
      // is synchronous, so two SQLite connections on one event loop would wait on each other until
      // busy_timeout: there the two replicas take turns instead (SQLite's single writer serialises
      // them the same way across processes).
      const together = async <T>(work: readonly (() => Promise<T>)[]): Promise<T[]> => {
        if (context.kind === 'mysql') return Promise.all(work.map((run) => run()));
        const results: T[] = [];
        for (const run of work) results.push(await run());
        return results;
      };

      const [first, second] = await together([
        () =>
          replicaA.hold(
            '131016',
            range(1, 100, [50]).map((seq) => notice(seq)),
            1,
            now,
          ),
        () =>
          replicaB.hold(
            '131016',
            range(51, 100).map((seq) => notice(seq)),
            1,
            now,
          ),
      ]);
      if (first === undefined || second === undefined) throw new Error('no hold result');
      // Whichever committed first held 51..100; the other saw them as duplicates.
      expect([...first.held, ...second.held].sort((a, b) => a - b)).to.deep.equal(
        range(1, 100, [50]),
      );
      expect(first.duplicates.length + second.duplicates.length).to.equal(50);

      // Both replicas release at once, in small claims.
      const drain = async (replica: typeof replicaA) => {
        while ((await replica.release('131016', 7, record, new Date())) > 0);
      };
      if (context.kind === 'mysql') await Promise.all([drain(replicaA), drain(replicaB)]);
      else {
        // Taking turns claim by claim.
        for (;;) {
          const a = await replicaA.release('131016', 7, record, new Date());
          const b = await replicaB.release('131016', 7, record, new Date());
          if (a + b === 0) break;
        }
      }
      expect(published).to.deep.equal(range(1, 49));
      const held = await replicaA.state('131016');
      expect(held?.nextSeq).to.equal(50);
      expect(held?.held).to.equal(50);
      expect(held?.gapSince).to.be.instanceOf(Date);

      // The alert: not before its time, then exactly one replica claims it.
      expect(await replicaA.claimGapAlert('131016', 3_600_000, new Date())).to.equal(undefined);
      const claims = await together([
        () => replicaA.claimGapAlert('131016', 0, new Date(Date.now() + 10)),
        () => replicaB.claimGapAlert('131016', 0, new Date(Date.now() + 10)),
      ]);
      const raised = claims.filter((claim) => claim !== undefined);
      expect(raised).to.have.length(1);
      expect(raised[0]).to.include({ missingSeq: 50, firstHeldSeq: 51, heldCount: 50 });

      // Replica A restarts: a new store on the same database takes the gap-filler.
      await storeA.close();
      const restarted = mojSequence(await context.openStoreFor(url));
      const filler = await restarted.hold(
        '131016',
        [notice(50), notice(10), notice(60)],
        1,
        new Date(),
      );
      expect(filler).to.deep.equal({ held: [50], duplicates: [10, 60], conflicts: [] });
      await drain(restarted);
      expect(published).to.deep.equal(range(1, 100));
      const after = await replicaB.state('131016');
      expect(after).to.deep.include({ nextSeq: 101, held: 0, gapSince: null, gapAlertedAt: null });

      // The same number again with other content is a conflict, not a duplicate.
      await replicaB.hold('131016', [notice(105)], 1, new Date());
      const conflict = await replicaB.hold('131016', [notice(105, 'b')], 1, new Date());
      expect(conflict.conflicts).to.deep.equal([105]);
    });
  });
});
