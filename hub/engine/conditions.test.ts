import { expect } from 'chai';
import { conditionsHold, type StepCondition } from './step.js';

const body = {
  kind: 'BLOCKED',
  count: 12,
  bornOn: '19800401',
  movedOn: '2026-04-01',
  nested: { code: 'A-17' },
};

function holds(condition: StepCondition): boolean {
  return conditionsHold([condition], body);
}

describe('route conditions (hub-route)', () => {
  it('tests equality, presence, one of a list and a prefix', () => {
    expect(holds({ field: '/kind', op: 'eq', value: 'BLOCKED' })).to.equal(true);
    expect(holds({ field: '/kind', op: 'neq', value: 'BLOCKED' })).to.equal(false);
    expect(holds({ field: '/missing', op: 'neq', value: 'BLOCKED' })).to.equal(true);
    expect(holds({ field: '/missing', op: 'exists' })).to.equal(false);
    expect(holds({ field: '/kind', op: 'in', value: 'TIMEOUT, BLOCKED' })).to.equal(true);
    expect(holds({ field: '/kind', op: 'in', value: 'TIMEOUT,BLOCK' })).to.equal(false);
    expect(holds({ field: '/nested/code', op: 'prefix', value: 'A-' })).to.equal(true);
    expect(holds({ field: '/nested/code', op: 'prefix', value: 'B-' })).to.equal(false);
  });

  it('compares numbers as numbers and days as days, whatever their spelling', () => {
    // As text "12" < "9"; as numbers it is not.
    expect(holds({ field: '/count', op: 'lt', value: '9' })).to.equal(false);
    expect(holds({ field: '/count', op: 'gte', value: '12' })).to.equal(true);
    expect(holds({ field: '/count', op: 'gt', value: '12' })).to.equal(false);
    expect(holds({ field: '/kind', op: 'lt', value: '9' })).to.equal(false);
    expect(holds({ field: '/bornOn', op: 'before', value: '1990-01-01' })).to.equal(true);
    expect(holds({ field: '/movedOn', op: 'after', value: '20260331' })).to.equal(true);
    expect(holds({ field: '/movedOn', op: 'after', value: '20260401' })).to.equal(false);
    expect(holds({ field: '/kind', op: 'before', value: '20260401' })).to.equal(false);
  });

  it('an otherwise condition holds exactly when its test does not, also for a missing field', () => {
    for (const condition of [
      { field: '/kind', op: 'eq', value: 'BLOCKED' },
      { field: '/count', op: 'lt', value: '9' },
      { field: '/missing', op: 'in', value: 'a,b' },
      { field: '/missing', op: 'exists' },
    ] as const) {
      expect(holds({ ...condition, negate: true }), condition.op).to.equal(!holds(condition));
    }
  });
});
