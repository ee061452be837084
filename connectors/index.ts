/**
 * The connector registry: which sinks the hub delivers through and how the simulators start.
 * `hub/main.ts` takes its default sinks from here; tests pass their own. The routes are not here:
 * the hub runs only what it compiles from the deployed flows (HUB_FLOWS_DIR).
 */
import { join } from 'node:path';
import type { HubConfig } from '../hub/config.js';
import type { Sink } from '../hub/engine/step.js';
import { loggerFor } from '../hub/logger.js';
import { chukanServerSimulator, chukanServerSink } from './chukan-server/connector.js';
import { conveniIssuanceSink } from './conveni-issuance/connector.js';
import { conveniIssuanceSimulator } from './conveni-issuance/simulator.js';
import { jlisCertCenterSink } from './jlis-cert-center/connector.js';
import { jlisCertCenterSimulator } from './jlis-cert-center/simulator.js';
import { jukinetCsSink } from './jukinet-cs/connector.js';
import { checkServerSimulator, otherMunicipalitySimulator } from './jukinet-cs/servers.js';
import { jukinetCsSimulator } from './jukinet-cs/simulator.js';
import { kizonJukiSink } from './kizon-juki/connector.js';
import { kizonJukiSimulator } from './kizon-juki/simulator.js';
import { kosekiSimulator } from './koseki/connector.js';
import { kyotsuKibanSimulator, kyotsuKibanSink } from './kyotsu-kiban/connector.js';
import type { Ingress } from './runtime/ingress.js';
import type { Simulator } from './runtime/simulator.js';
import {
  defaultPorts,
  simAddresses,
  simSystems,
  type SimAddresses,
  type SimSystem,
} from './runtime/systems.js';
import { tougouAtenaSimulator, tougouAtenaSink } from './tougou-atena/connector.js';

/** The simulator table, ingress and simulator types, re-exported for the CLI, the plugin and tests. */
export { defaultPorts, parseSimSystem, simSystems, type SimSystem } from './runtime/systems.js';
export { createIngress, type Ingress } from './runtime/ingress.js';
export type { Simulator } from './runtime/simulator.js';

/** Where the connectors send to and exchange files. */
export interface ConnectorSettings {
  readonly urls: SimAddresses;
  /** Folder for claim-check files shared with the systems. */
  readonly exchangeDir: string;
  readonly lgCode: string;
  readonly timeoutMs?: number;
}

/** The exchange folder under the hub's data directory. */
export function exchangeDirOf(config: Pick<HubConfig, 'dataDir'>): string {
  return join(config.dataDir, 'exchange');
}

/** Every sink, for the given endpoints. */
export function sinksFor(settings: ConnectorSettings): Sink[] {
  const { urls, timeoutMs } = settings;
  return [
    kizonJukiSink(urls.KIZON_JUKI, timeoutMs),
    jukinetCsSink({
      baseUrl: urls.JUKINET_CS,
      exchangeDir: settings.exchangeDir,
      lgCode: settings.lgCode,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    }),
    kyotsuKibanSink(urls.KYOTSU_KIBAN, timeoutMs),
    tougouAtenaSink(urls.TOUGOU_ATENA, timeoutMs),
    chukanServerSink(urls.CHUKAN_SERVER, timeoutMs),
    conveniIssuanceSink(urls.CONVENI_ISSUANCE, timeoutMs),
    jlisCertCenterSink(urls.JLIS_CERT_CENTER, timeoutMs),
  ];
}

/**
 * The hub's default sinks: each system at its `HUB_<SYSTEM>_URL`, or else at its simulator's default
 * port on this machine (demo mode).
 */
export function defaultSinks(
  config: Pick<HubConfig, 'dataDir' | 'lgCode'> & Partial<Pick<HubConfig, 'systemUrls'>>,
): Sink[] {
  return sinksFor({
    urls: { ...simAddresses(), ...config.systemUrls },
    exchangeDir: exchangeDirOf(config),
    lgCode: config.lgCode,
  });
}

/** Running simulators. */
export interface SimulatorSet {
  readonly simulators: ReadonlyMap<SimSystem, Simulator>;
  /** Base URLs: started simulators at their real ports, the others at their default ports. */
  urls(): SimAddresses;
  stop(): Promise<void>;
}

/** Options of startSimulators. */
export interface StartSimulatorsOptions {
  readonly ingress: Ingress;
  readonly exchangeDir: string;
  /** Which to start (default all). */
  readonly systems?: readonly SimSystem[];
  /** Ports per system (0 = any free port); default the table's. */
  readonly ports?: Partial<Record<SimSystem, number>>;
  /** Skip a simulator whose port is taken instead of failing (the demo should still start). */
  readonly skipBusyPorts?: boolean;
}

/** Starts simulators; servers a simulator forwards to start before it. */
export async function startSimulators(options: StartSimulatorsOptions): Promise<SimulatorSet> {
  const log = loggerFor('simulators');
  const wanted = new Set(options.systems ?? simSystems);
  const started = new Map<SimSystem, Simulator>();
  const portOf = (system: SimSystem) => options.ports?.[system] ?? defaultPorts[system];
  const urlOf = (system: SimSystem) =>
    started.get(system)?.url() ?? `http://127.0.0.1:${String(defaultPorts[system])}`;
  const create = (system: SimSystem): Simulator => {
    const port = portOf(system);
    const { ingress, exchangeDir } = options;
    switch (system) {
      case 'KIZON_JUKI':
        return kizonJukiSimulator({ port, ingress, exchangeDir });
      case 'JUKINET_CS':
        return jukinetCsSimulator({
          port,
          ingress,
          peers: {
            prefecture: () => urlOf('PREFECTURE_SERVER'),
            national: () => urlOf('NATIONAL_SERVER'),
            otherMunicipality: () => urlOf('OTHER_MUNICIPALITY'),
          },
        });
      case 'PREFECTURE_SERVER':
        return checkServerSimulator({ system, port, exchangeDir, depth: 'full' });
      case 'NATIONAL_SERVER':
        return checkServerSimulator({ system, port, exchangeDir, depth: 'keys' });
      case 'OTHER_MUNICIPALITY':
        return otherMunicipalitySimulator(port);
      case 'KYOTSU_KIBAN':
        return kyotsuKibanSimulator(port);
      case 'TOUGOU_ATENA':
        return tougouAtenaSimulator(port, () => urlOf('CHUKAN_SERVER'));
      case 'CHUKAN_SERVER':
        return chukanServerSimulator(port);
      case 'KOSEKI':
        return kosekiSimulator(port);
      case 'CONVENI_ISSUANCE':
        return conveniIssuanceSimulator({ port, ingress, kosekiUrl: () => urlOf('KOSEKI') });
      case 'JLIS_CERT_CENTER':
        return jlisCertCenterSimulator({ port, ingress });
    }
  };
  const set: SimulatorSet = {
    simulators: started,
    urls: () => {
      const base = simAddresses();
      return Object.fromEntries(
        simSystems.map((system) => [system, started.get(system)?.url() ?? base[system]]),
      ) as Record<SimSystem, string>;
    },
    async stop() {
      for (const sim of [...started.values()].reverse()) await sim.stop().catch(() => undefined);
      started.clear();
    },
  };
  try {
    for (const system of simSystems) {
      if (!wanted.has(system)) continue;
      const sim = create(system);
      try {
        await sim.start();
      } catch (error) {
        const busy = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
        if (busy && options.skipBusyPorts === true) {
          log.warn(
            { system, port: portOf(system) },
            'simulator port is taken; simulator not started',
          );
          continue;
        }
        throw error;
      }
      started.set(system, sim);
    }
  } catch (error) {
    await set.stop();
    throw error;
  }
  return set;
}
