import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../hub/config.js';
import {
  connectors,
  fileLayouts,
  simSystems,
  sinksFor,
  systemDescriptors,
  type Ingress,
  type SimSystem,
  type SystemDescriptor,
} from './index.js';
import { parseSimSystem, simAddresses } from './runtime/systems.js';

/** The descriptors, widened from their literal types. */
const descriptors: readonly SystemDescriptor[] = systemDescriptors;
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
/** Folders of shared code, not connectors. */
const shared = new Set(['codec', 'runtime']);

const connectorFolders = readdirSync(here).filter(
  (name) => statSync(join(here, name)).isDirectory() && !shared.has(name),
);

const refusingIngress: Ingress = {
  publish: () => Promise.reject(new Error('not in this test')),
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('connector registry', () => {
  it('lists every system exactly once, under its own SystemId, with Japanese and English names', () => {
    expect(new Set(simSystems).size, 'duplicate system').to.equal(simSystems.length);
    expect(Object.keys(connectors).sort()).to.deep.equal([...simSystems].sort());
    expect(descriptors.map((descriptor) => descriptor.system)).to.deep.equal(simSystems);
    for (const system of simSystems) {
      const { descriptor } = connectors[system];
      expect(descriptor.system, system).to.equal(system);
      // Japanese: has a character beyond ASCII; English: printable ASCII only.
      expect(descriptor.name.ja, `${system} ja`).to.match(/[^\x20-\x7e]/);
      expect(descriptor.name.en, `${system} en`).to.match(/^[\x20-\x7e]+$/);
    }
  });

  it('gives each system its own port and the URL variable the configuration reads', () => {
    const ports = descriptors.map((descriptor) => descriptor.defaultPort);
    expect(new Set(ports).size).to.equal(ports.length);
    const env: Record<string, string> = {};
    for (const descriptor of descriptors) {
      expect(descriptor.urlVariable).to.equal(`HUB_${descriptor.system}_URL`);
      env[descriptor.urlVariable] =
        `http://${descriptor.folder}.example:${String(descriptor.defaultPort)}`;
    }
    const config = loadConfig(env);
    for (const descriptor of descriptors) {
      expect(config.systemUrls[descriptor.system as SimSystem], descriptor.urlVariable).to.equal(
        env[descriptor.urlVariable],
      );
    }
  });

  it('names each system by id, folder and alias on the command line', () => {
    for (const descriptor of descriptors) {
      expect(parseSimSystem(descriptor.system)).to.equal(descriptor.system);
      for (const alias of descriptor.aliases ?? []) {
        expect(parseSimSystem(alias), alias).to.equal(descriptor.system);
      }
      // A system behind another shares its folder: the folder names the front system.
      const front = descriptor.behind ?? descriptor.system;
      expect(parseSimSystem(descriptor.folder), descriptor.folder).to.equal(front);
    }
    expect(parseSimSystem('no-such-system')).to.equal(undefined);
  });

  it('has a sink exactly for the systems whose descriptor declares one, allowing 個人番号 as declared', () => {
    const sinks = new Map(
      sinksFor({ urls: simAddresses(), exchangeDir: tmpdir(), lgCode: '131016' }).map((sink) => [
        sink.system,
        sink,
      ]),
    );
    for (const descriptor of descriptors) {
      const sink = sinks.get(descriptor.system);
      const declared = descriptor.edges.includes('sink');
      expect(sink !== undefined, `${descriptor.system} sink`).to.equal(declared);
      if (sink) expect(sink.allowsMyNumber, descriptor.system).to.deep.equal(descriptor.myNumber);
    }
    expect(sinks.size).to.equal(descriptors.filter((d) => d.edges.includes('sink')).length);
  });

  it('creates each simulator under its own SystemId', () => {
    for (const system of simSystems) {
      const sim = connectors[system].simulator({
        port: 0,
        ingress: refusingIngress,
        exchangeDir: tmpdir(),
        urlOf: () => 'http://127.0.0.1:9',
      });
      expect(sim.system, system).to.equal(system);
    }
  });

  it('registers each file layout under the system that exports it, once by name', () => {
    let count = 0;
    for (const system of simSystems) {
      for (const layout of connectors[system].fileLayouts ?? []) {
        expect(layout.system, layout.name).to.equal(system);
        expect(fileLayouts.get(layout.name)).to.equal(layout);
        count += 1;
      }
    }
    expect(fileLayouts.size).to.equal(count);
  });
});

describe('connector folders', () => {
  it('every folder belongs to a registered system, and every system to a folder', () => {
    const declared = new Set(descriptors.map((descriptor) => descriptor.folder));
    expect([...declared].sort()).to.deep.equal([...connectorFolders].sort());
  });

  it('each holds its descriptor, codecs, sink and ingress as declared, and its simulator', () => {
    for (const descriptor of descriptors) {
      const folder = join(here, descriptor.folder);
      const has = (module: string) => existsSync(join(folder, `${module}.ts`));
      const where = `connectors/${descriptor.folder}`;
      expect(has('descriptor'), `${where}/descriptor.ts`).to.equal(true);
      const descriptorText = readFileSync(join(folder, 'descriptor.ts'), 'utf8');
      expect(descriptorText, `${where}/descriptor.ts declares ${descriptor.system}`).to.contain(
        `system: '${descriptor.system}'`,
      );
      // A system behind another has its simulator among that one's servers.
      const simulatorModule = descriptor.behind !== undefined ? 'servers' : 'simulator';
      expect(has(simulatorModule), `${where}/${simulatorModule}.ts`).to.equal(true);
      for (const codec of descriptor.codecs)
        expect(has(codec), `${where}/${codec}.ts`).to.equal(true);
      for (const edge of ['sink', 'ingress'] as const) {
        const declared = descriptor.edges.includes(edge);
        // Servers behind another system share its folder and have no side of their own.
        if (descriptor.behind !== undefined)
          expect(declared, `${descriptor.system} ${edge}`).to.equal(false);
        else expect(has(edge), `${where}/${edge}.ts`).to.equal(declared);
      }
      if (has('ingress')) {
        // What a system originates goes through the one ingress core.
        expect(readFileSync(join(folder, 'ingress.ts'), 'utf8')).to.contain('runtime/ingress.js');
      }
    }
  });

  it('keeps wire formats in the connectors: nothing under hub/ imports a codec or layout', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(join(root, 'hub'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const target = match[1] ?? '';
        if (/connectors\/(codec\/|[a-z-]+\/(codec|layouts|pdf)\.js)/.test(target)) {
          offenders.push(`${relative(root, file)} → ${target}`);
        }
      }
    }
    expect(offenders).to.deep.equal([]);
  });
});
