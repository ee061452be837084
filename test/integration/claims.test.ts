/**
 * Claims on business keys (issue 22, item 3) on SQLite and MariaDB: of two stores (two replicas)
 * claiming one key at the same moment exactly one wins; an expired lease is taken over by exactly
 * one; a released claim is free at once. Each claimant has its own store (its own connection pool),
 * as two replicas would.
 */
import { expect } from 'chai';
import { withStores } from '../support/db.js';

describe('claims on business keys across replicas (issue 22)', function () {
  this.timeout(60_000);
  withStores(({ kind, freshDbUrl, openStoreFor }) => {
    async function twoReplicas() {
      const url = await freshDbUrl();
      const first = await openStoreFor(url);
      // SQLite: a second process would open the file; in one process one store is the rule.
      const second = kind === 'sqlite' ? first : await openStoreFor(url, { migrate: false });
      if (first.claims === undefined || second.claims === undefined) throw new Error('no claims');
      return { a: first.claims, b: second.claims };
    }

    it('two claims of one key at once: exactly one wins, many keys at once', async () => {
      const { a, b } = await twoReplicas();
      const keys = Array.from({ length: 300 }, (_, index) => `R-${String(index)}`);
      const results = await Promise.all(
        keys.flatMap((key) => [
          a.claim('step.x', key, 'replica-a/1', 60_000),
          b.claim('step.x', key, 'replica-b/1', 60_000),
        ]),
      );
      for (let index = 0; index < keys.length; index += 1) {
        const pair = [results[2 * index], results[2 * index + 1]].sort();
        expect(pair, keys[index]).to.deep.equal(['held', 'mine']);
      }
      // The owner asking again (a redelivery to the same process) still owns it.
      const owner = results[0] === 'mine' ? 'replica-a/1' : 'replica-b/1';
      expect(await a.claim('step.x', 'R-0', owner, 60_000)).to.equal('mine');
      // Another step's key of the same value is another claim.
      expect(await b.claim('step.y', 'R-0', 'replica-b/1', 60_000)).to.equal('mine');
    });

    it('a key whose outcome is committed is "processed", whoever holds its claim (one call, issue 23)', async () => {
      const url = await freshDbUrl();
      const store = await openStoreFor(url);
      const claims = store.claims;
      if (claims === undefined) throw new Error('no claims');
      expect(await claims.claim('step.x', 'P-1', 'replica-a/1', 60_000)).to.equal('mine');
      expect(await claims.claim('step.x', 'P-2', 'replica-a/1', 60_000)).to.equal('mine');
      await store.outcomes.record(
        {
          messageId: 'm-1',
          messageType: 't',
          route: 'r',
          step: 'step.x',
          outcome: 'published',
          attempt: 1,
          receivedAt: new Date(),
          finishedAt: new Date(),
        },
        { step: 'step.x', key: 'P-1', messageId: 'm-1' },
      );
      // Its holder and another replica alike learn that it is done; a key not processed is not.
      const [holder, other, unclaimed, pending, otherStep] = await Promise.all([
        claims.claim('step.x', 'P-1', 'replica-a/1', 60_000),
        claims.claim('step.x', 'P-1', 'replica-b/1', 60_000),
        claims.claim('step.x', 'p-1', 'replica-b/1', 60_000),
        claims.claim('step.x', 'P-2', 'replica-b/1', 60_000),
        claims.claim('step.y', 'P-1', 'replica-b/1', 60_000),
      ]);
      expect([holder, other]).to.deep.equal(['processed', 'processed']);
      expect(unclaimed, 'keys compare exactly').to.equal('mine');
      expect(pending, 'claimed, not processed').to.equal('held');
      expect(otherStep, "another step's key of the same value").to.equal('mine');
    });

    it('an expired lease is taken over by exactly one; a released claim is free at once', async () => {
      const { a, b } = await twoReplicas();
      // A holder whose lease has already run out (it died holding the key).
      expect(await a.claim('step.x', 'K', 'dead/1', -60_000)).to.equal('mine');
      const takeover = await Promise.all([
        a.claim('step.x', 'K', 'replica-a/1', 60_000),
        b.claim('step.x', 'K', 'replica-b/1', 60_000),
      ]);
      expect([...takeover].sort()).to.deep.equal(['held', 'mine']);
      const holder = takeover[0] === 'mine' ? 'replica-a/1' : 'replica-b/1';
      const other = holder === 'replica-a/1' ? 'replica-b/1' : 'replica-a/1';
      expect(await b.claim('step.x', 'K', other, 60_000)).to.equal('held');
      await a.release('step.x', 'K', other); // not its claim: nothing happens
      expect(await b.claim('step.x', 'K', other, 60_000)).to.equal('held');
      await a.release('step.x', 'K', holder);
      expect(await b.claim('step.x', 'K', other, 60_000)).to.equal('mine');
    });
  });
});
