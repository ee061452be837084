import { expect } from 'chai';
import { serviceNames, servicesFor, type HubServices, type ServiceName } from './plugin.js';
import { defaultPlugins } from './plugins.js';

const names: readonly ServiceName[] = serviceNames;

/** Stand-ins: servicesFor only copies references, it never calls a service. */
const all = Object.fromEntries(names.map((name) => [name, { name }])) as unknown as HubServices;

describe('plugins receive only what they declare', () => {
  it('hands a plugin exactly its declared services, frozen', () => {
    const services = servicesFor(all, ['config', 'broker']);
    expect(Object.keys(services).sort()).to.deep.equal(['broker', 'config']);
    expect(services.config).to.equal(all.config);
    expect(Object.isFrozen(services)).to.equal(true);
    expect('store' in services).to.equal(false);
  });

  it('refuses a service name that does not exist', () => {
    expect(() => servicesFor(all, ['nope' as ServiceName])).to.throw('unknown hub service nope');
  });

  it('every default plugin declares its needs, each a known service, none twice', () => {
    for (const plugin of defaultPlugins) {
      expect(plugin.needs.length, plugin.name).to.be.greaterThan(0);
      expect(new Set(plugin.needs).size, plugin.name).to.equal(plugin.needs.length);
      for (const need of plugin.needs) expect(names, plugin.name).to.include(need);
    }
  });
});
