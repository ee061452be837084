import { expect } from 'chai';
import { loadConfig } from '../hub/config.js';
import { checkSteps } from '../hub/engine/engine.js';
import { ConfigError } from '../hub/errors.js';
import { createSimulator, type Simulator } from './runtime/simulator.js';
import { schemaRegistry } from '../schemas/registry.js';
import { transformers } from '../transformers/index.js';
import { defaultSinks } from './index.js';
import { shippedSteps } from '../test/support/flows.js';
import { connectorSinks } from '../hub/nodered/context.js';
import { SUPPORT_MEASURE_AUDIT } from '../hub/support-measures/audit.js';

describe('the shipped flows (affairs 1, 8, 11)', () => {
  const defaultSteps = shippedSteps();
  // The connectors' sinks and the hub's own 支援措置 audit (hub/support-measures/audit.ts).
  const sinks = new Map(
    [
      ...defaultSinks({ dataDir: '/tmp/hub-routes-test', lgCode: '131016' }),
      ...connectorSinks().filter((sink) => sink.system === SUPPORT_MEASURE_AUDIT),
    ].map((sink) => [sink.system, sink]),
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

describe('system endpoints (HUB_<SYSTEM>_URL)', () => {
  let sim: Simulator;
  before(async () => {
    sim = createSimulator({ system: 'KYOTSU_KIBAN', port: 0 });
    await sim.start();
  });
  after(async () => {
    await sim.stop();
  });

  it('delivers to the configured URL instead of the local simulator port', async () => {
    const config = loadConfig({ HUB_KYOTSU_KIBAN_URL: `${sim.url()}/` });
    expect(config.systemUrls).to.deep.equal({ KYOTSU_KIBAN: sim.url() });
    const sink = defaultSinks({ ...config, dataDir: '/tmp/hub-routes-test' }).find(
      (entry) => entry.system === 'KYOTSU_KIBAN',
    );
    const body = { hello: 'configured' };
    await sink?.deliver({
      messageId: 'endpoint-1',
      messageType: 'atena.changed',
      correlationId: 'endpoint-1',
      body,
      content: Buffer.from(JSON.stringify(body)),
      headers: {},
    });
    expect(sim.received.map((entry) => entry.messageId)).to.deep.equal(['endpoint-1']);
  });

  it('refuses a URL that is not http(s), naming the variable and hiding the password', () => {
    expect(() => loadConfig({ HUB_JUKINET_CS_URL: 'ftp://user:secret@cs.example' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/HUB_JUKINET_CS_URL/)
      .and.not.include('secret');
    expect(() => loadConfig({ HUB_JUKINET_CS_URL: 'not a url' })).to.throw(/HUB_JUKINET_CS_URL/);
  });
});
