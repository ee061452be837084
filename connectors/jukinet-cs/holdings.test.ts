import { expect } from 'chai';
import { sampleMessage } from '../../schemas/sample.js';
import { IdentityHoldings, populationRecord } from './holdings.js';
import { comparableOf } from './items.js';

describe('市町村CS holdings (its own 本人確認情報)', () => {
  it('holds the synthetic population, and drift changes exactly the chosen items', () => {
    const holdings = new IdentityHoldings();
    holdings.seed(50, [
      { recordNo: 3, field: 'NAME' },
      { recordNo: 3, field: 'MY_NUMBER' },
      { recordNo: 40, field: 'MOVED_ON' },
    ]);
    expect(holdings.size()).to.equal(50);
    expect([...holdings.records()]).to.have.length(50);
    for (const recordNo of [1, 3, 40, 50]) {
      const held = comparableOf(holdings.record(recordNo) ?? populationRecord(1));
      const registry = sampleMessage('registry.resident.extracted', recordNo);
      const base = comparableOf(populationRecord(recordNo));
      expect(held.juminhyoCode).to.equal(registry.resident.juminhyoCode);
      const differing = (Object.keys(base) as (keyof typeof base)[]).filter(
        (key) => base[key] !== held[key],
      );
      const expected = recordNo === 3 ? ['NAME', 'MY_NUMBER'] : recordNo === 40 ? ['MOVED_ON'] : [];
      expect(differing.sort(), `record ${String(recordNo)}`).to.deep.equal(expected.sort());
    }
    expect(holdings.record(51)).to.equal(undefined);
  });

  it('is kept current by affair 1: an update replaces a resident, a newcomer is added, a number changes', () => {
    const holdings = new IdentityHoldings(20);
    const update = sampleMessage('identity-info.update.submitted', 7);
    const code = update.juminhyoCode;
    holdings.apply({ ...update, addressText: '別の住所' });
    expect(holdings.byCode(code)?.addressText).to.equal('別の住所');
    expect(holdings.byCode(code)?.lastMovementReason).to.deep.equal(update.movementReason);
    // Resident 7 belongs to the population: replaced in place, no new record.
    expect(holdings.size()).to.equal(20);
    expect(holdings.record(7)?.addressText).to.equal('別の住所');
    const newcomer = { ...sampleMessage('identity-info.update.submitted', 500) };
    holdings.apply(newcomer);
    expect(holdings.size()).to.equal(21);
    expect(holdings.record(21)?.juminhyoCode).to.equal(newcomer.juminhyoCode);
    expect(holdings.byCode(newcomer.juminhyoCode)?.name).to.equal(newcomer.name);
    holdings.setMyNumber(newcomer.juminhyoCode, '123456789018');
    expect(holdings.myNumberOf(newcomer.juminhyoCode)).to.equal('123456789018');
    // A drifted resident's number changes; the drift is not applied twice.
    holdings.addDrift({ recordNo: 9, field: 'NAME' });
    const before = holdings.record(9);
    holdings.setMyNumber(String(before?.juminhyoCode), '621498320257');
    expect(holdings.record(9)?.name).to.equal(before?.name);
    expect(holdings.record(9)?.myNumber).to.equal('621498320257');
  });
});
