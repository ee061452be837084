import { expect } from 'chai';
import { checkSteps } from '../hub/engine/engine.js';
import { schemaRegistry } from '../schemas/registry.js';
import { transformers } from '../transformers/index.js';
import { defaultSinks } from './index.js';
import { defaultSteps } from '../routes/index.js';

describe('default routes (affairs 1, 8, 11)', () => {
  const sinks = new Map(
    defaultSinks({ dataDir: '/tmp/hub-routes-test', lgCode: '131016' }).map((sink) => [
      sink.system,
      sink,
    ]),
  );

  it('pass the engine checks: unique names, known transformers, a connector for every system', () => {
    expect(checkSteps(defaultSteps, transformers, sinks)).to.deep.equal([]);
  });

  it('bind each transformer to its input type and take only catalogue types', () => {
    const catalogue = schemaRegistry();
    for (const step of defaultSteps) {
      for (const type of step.input)
        expect(catalogue.has(type), `${step.name}: ${type}`).to.equal(true);
      if (step.transformer === undefined) continue;
      const transformer = transformers.get(step.transformer);
      expect(step.input, step.name).to.deep.equal([transformer?.from]);
    }
  });

  it('order every affair 1 step by the 住民票コード', () => {
    for (const step of defaultSteps.filter((entry) => entry.route === 'affair-1')) {
      expect(step.orderBy, step.name).to.match(/juminhyoCode$/);
    }
  });
});
