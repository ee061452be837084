/** The access record (issue 19) on SQLite and MariaDB: one row per request and action, listed per day. */
import { expect } from 'chai';
import { accessRecords, type AccessRow } from '../../hub/store/access-records.js';
import { withStores } from '../support/db.js';

function row(requestId: string, at: string, overrides: Partial<AccessRow> = {}): AccessRow {
  return {
    requestId,
    affair: 'affair-6',
    action: 'SEARCH',
    operator: 'op1',
    terminal: 'T-1',
    purpose: 'JUKI_HONNIN_KAKUNIN',
    criteriaKind: 'JUMINHYO_CODE',
    criteriaHashes: ['juminhyoCode:abc', 'name:def'],
    source: 'LOCAL',
    result: 'ANSWERED',
    resultCount: 1,
    at: new Date(at),
    ...overrides,
  };
}

describe('access record', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore }) => {
    it('records once per request and action, and lists one Japan-time day in order', async () => {
      const store = await openFreshStore();
      const records = accessRecords(store);
      // 2026-12-04 in Japan is [2026-12-03T15:00Z, 2026-12-04T15:00Z).
      await records.record(row('r1', '2026-12-03T14:59:59.999Z'));
      await records.record(row('r2', '2026-12-03T15:00:00.000Z'));
      await records.record(row('r2', '2026-12-03T15:00:00.000Z', { result: 'FAILED' }));
      await records.record(
        row('r2', '2026-12-03T15:00:01.000Z', { action: 'INQUIRY', source: null, resultCount: 0 }),
      );
      await records.record(row('r3', '2026-12-04T15:00:00.000Z'));
      const day = await records.list({
        from: new Date('2026-12-04T00:00:00+09:00'),
        to: new Date('2026-12-05T00:00:00+09:00'),
      });
      expect(day.map((entry) => [entry.requestId, entry.action, entry.result])).to.deep.equal([
        ['r2', 'SEARCH', 'ANSWERED'],
        ['r2', 'INQUIRY', 'ANSWERED'],
      ]);
      expect(day[0]?.criteriaHashes).to.deep.equal(['juminhyoCode:abc', 'name:def']);
      expect(day[1]).to.include({ source: null, resultCount: 0 });
      expect(day[0]?.at.toISOString()).to.equal('2026-12-03T15:00:00.000Z');
    });
  });
});
