import { expect } from 'chai';
import { readFlowsDir } from '../nodered/flows-dir.js';
import type { FlowNode } from '../nodered/flow-model.js';
import { sagaProblems, sagasOfFlows } from './definition.js';

const tab = (value: unknown, name = 'HUB_SAGA'): FlowNode => ({
  id: 't1',
  type: 'tab',
  label: 'affair-7 特例転入',
  env: [{ name, type: 'json', value: typeof value === 'string' ? value : JSON.stringify(value) }],
});

describe('sagas declared on a tab (HUB_SAGA)', () => {
  it('reads the shipped affair-7 tab: eleven steps for 特例転入, two for 1-⑧', () => {
    const sagas = sagasOfFlows(readFlowsDir('flows'));
    expect(sagas.map((saga) => [saga.name, saga.route, saga.steps.length])).to.deep.equal([
      ['special-move-in', 'affair-7', 11],
      ['special-move-out', 'affair-7', 2],
    ]);
    const waiting = sagas[0]?.steps.filter((step) => step.awaits !== undefined);
    expect(waiting?.map((step) => [step.id, step.limitBusinessDays])).to.deep.equal([
      ['receive-certificate', 3],
      ['notice-forwarded', 2],
    ]);
    expect(sagaProblems(readFlowsDir('flows'))).to.deep.equal([]);
  });

  it('refuses a bad declaration with a reason in both languages', () => {
    const cases: unknown[] = [
      'not json',
      { name: 'x', trigger: 'a.b', steps: [] },
      {
        name: 'x',
        trigger: 'a.b',
        steps: [
          { id: 'a', label: 'A', system: 'S' },
          { id: 'a', label: 'B', system: 'S' },
        ],
      },
      {
        name: 'x',
        trigger: 'a.b',
        steps: [{ id: 'a', label: 'A', system: 'S', limitBusinessDays: 0 }],
      },
      { name: 'Bad Name', trigger: 'a.b', steps: [{ id: 'a', label: 'A', system: 'S' }] },
    ];
    for (const value of cases) {
      const problems = sagaProblems([tab(value)]);
      expect(problems, JSON.stringify(value)).to.have.length(1);
      expect(problems[0]?.route).to.equal('affair-7');
      expect(problems[0]?.ja).to.match(/サガ/);
    }
    const good = { name: 'x', trigger: 'a.b', steps: [{ id: 'a', label: 'A', system: 'S' }] };
    expect(sagaProblems([tab(good), { ...tab(good), id: 't2' }])).to.have.length(1);
    expect(sagaProblems([tab(good, 'HUB_SAGA_EXTRA')])).to.deep.equal([]);
  });
});
