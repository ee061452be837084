/**
 * The connector registry: every external system the hub knows, by its SystemId, with its descriptor
 * (`connectors/<system>/descriptor.ts`), its sinks, its file layouts and its simulator. The hub takes
 * its default sinks, the file drop its layouts, and `hub simulate` / demo mode their simulators from
 * here; nothing else lists the systems. The routes are not here: the hub runs only what it compiles
 * from the deployed flows (HUB_FLOWS_DIR).
 */
import { join } from 'node:path';
import type { HubConfig } from '../hub/config.js';
import type { Sink } from '../hub/engine/step.js';
import { loggerFor } from '../hub/logger.js';
import { cardKanriSink } from './card-kanri/sink.js';
import { cardKanriSimulator } from './card-kanri/simulator.js';
import { chukanServerSink } from './chukan-server/sink.js';
import { chukanServerSimulator } from './chukan-server/simulator.js';
import { conveniIssuanceSink } from './conveni-issuance/sink.js';
import { conveniIssuanceSimulator } from './conveni-issuance/simulator.js';
import { jlisCertCenterSink } from './jlis-cert-center/sink.js';
import { jlisCertCenterSimulator } from './jlis-cert-center/simulator.js';
import { infoProvisionNetworkSimulator } from './jukinet-cs/fugo.js';
import { checkServerSimulator, otherMunicipalitySimulator } from './jukinet-cs/servers.js';
import { jukinetCsSink } from './jukinet-cs/sink.js';
import { jukinetCsSimulator } from './jukinet-cs/simulator.js';
import { kizonJukiLayouts } from './kizon-juki/layouts.js';
import { kizonJukiSink } from './kizon-juki/sink.js';
import { kizonJukiSimulator } from './kizon-juki/simulator.js';
import { kosekiSimulator } from './koseki/simulator.js';
import { kosekiFuhyoSink } from './koseki-fuhyo/sink.js';
import { kosekiFuhyoSimulator } from './koseki-fuhyo/simulator.js';
import { mojTerminalSink } from './moj-terminal/sink.js';
import { mojTerminalSimulator } from './moj-terminal/simulator.js';
import { kyotsuKibanSink } from './kyotsu-kiban/sink.js';
import { kyotsuKibanSimulator } from './kyotsu-kiban/simulator.js';
import type { SystemDescriptor } from './runtime/descriptor.js';
import { layoutForFileIn, type FileLayout } from './runtime/file-layout.js';
import type { Ingress } from './runtime/ingress.js';
import type { Simulator } from './runtime/simulator.js';
import {
  defaultPorts,
  descriptorOf,
  simAddresses,
  simSystems,
  type SimAddresses,
  type SimSystem,
} from './runtime/systems.js';
import { tougouAtenaSink } from './tougou-atena/sink.js';
import { tougouAtenaSimulator } from './tougou-atena/simulator.js';
import { tougouTanmatsuSimulator } from './tougou-tanmatsu/simulator.js';

/** The system table, ingress, descriptor and simulator types, re-exported for the CLI, the plugin and tests. */
export {
  defaultPorts,
  descriptorOf,
  parseSimSystem,
  simSystems,
  systemDescriptors,
  type SimSystem,
} from './runtime/systems.js';
export { createIngress, type Ingress } from './runtime/ingress.js';
export type { Simulator } from './runtime/simulator.js';
export type { SystemDescriptor } from './runtime/descriptor.js';
export type { FileLayout } from './runtime/file-layout.js';

/** Where the connectors send to and exchange files. */
export interface ConnectorSettings {
  readonly urls: SimAddresses;
  /** Folder for claim-check files shared with the systems. */
  readonly exchangeDir: string;
  readonly lgCode: string;
  readonly timeoutMs?: number;
}

/** What a simulator is started with. */
export interface SimulatorDeps {
  readonly port: number;
  /** Where what the simulated system originates is published. */
  readonly ingress: Ingress;
  /** Folder for claim-check files shared with the hub. */
  readonly exchangeDir: string;
  /** Base URL of another simulated system, read when needed (it may start later). */
  readonly urlOf: (system: SimSystem) => string;
}

/** One connector as the registry holds it. */
export interface Connector {
  readonly descriptor: SystemDescriptor;
  /** Its egress sink for the given endpoints; absent when the hub delivers nothing to it. */
  readonly sink?: (settings: ConnectorSettings) => Sink;
  /** Layouts of the files it exports (file drop, `hub publish --layout/--csv`). */
  readonly fileLayouts?: readonly FileLayout[];
  readonly simulator: (deps: SimulatorDeps) => Simulator;
}

/** Every connector, by SystemId: the one registry of systems. */
export const connectors: Readonly<Record<SimSystem, Connector>> = {
  PREFECTURE_SERVER: {
    descriptor: descriptorOf('PREFECTURE_SERVER'),
    simulator: ({ port, exchangeDir }) =>
      checkServerSimulator({ system: 'PREFECTURE_SERVER', port, exchangeDir }),
  },
  NATIONAL_SERVER: {
    descriptor: descriptorOf('NATIONAL_SERVER'),
    simulator: ({ port, exchangeDir }) =>
      checkServerSimulator({ system: 'NATIONAL_SERVER', port, exchangeDir }),
  },
  OTHER_MUNICIPALITY: {
    descriptor: descriptorOf('OTHER_MUNICIPALITY'),
    simulator: ({ port }) => otherMunicipalitySimulator(port),
  },
  INFO_PROVISION_NETWORK: {
    descriptor: descriptorOf('INFO_PROVISION_NETWORK'),
    simulator: ({ port }) => infoProvisionNetworkSimulator(port),
  },
  CARD_MGMT: {
    descriptor: descriptorOf('CARD_MGMT'),
    sink: ({ urls, timeoutMs }) => cardKanriSink(urls.CARD_MGMT, timeoutMs),
    simulator: ({ port }) => cardKanriSimulator(port),
  },
  CHUKAN_SERVER: {
    descriptor: descriptorOf('CHUKAN_SERVER'),
    sink: ({ urls, timeoutMs }) => chukanServerSink(urls.CHUKAN_SERVER, timeoutMs),
    simulator: ({ port, ingress }) => chukanServerSimulator(port, ingress),
  },
  KOSEKI: {
    descriptor: descriptorOf('KOSEKI'),
    simulator: ({ port }) => kosekiSimulator(port),
  },
  JUKINET_CS: {
    descriptor: descriptorOf('JUKINET_CS'),
    sink: (settings) =>
      jukinetCsSink({
        baseUrl: settings.urls.JUKINET_CS,
        exchangeDir: settings.exchangeDir,
        lgCode: settings.lgCode,
        ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
      }),
    simulator: ({ port, ingress, urlOf, exchangeDir }) =>
      jukinetCsSimulator({
        port,
        ingress,
        exchangeDir,
        peers: {
          prefecture: () => urlOf('PREFECTURE_SERVER'),
          national: () => urlOf('NATIONAL_SERVER'),
          otherMunicipality: () => urlOf('OTHER_MUNICIPALITY'),
          infoProvisionNetwork: () => urlOf('INFO_PROVISION_NETWORK'),
          cardMgmt: () => urlOf('CARD_MGMT'),
        },
      }),
  },
  KIZON_JUKI: {
    descriptor: descriptorOf('KIZON_JUKI'),
    sink: ({ urls, timeoutMs }) => kizonJukiSink(urls.KIZON_JUKI, timeoutMs),
    fileLayouts: kizonJukiLayouts,
    simulator: ({ port, ingress, exchangeDir }) =>
      kizonJukiSimulator({ port, ingress, exchangeDir }),
  },
  KYOTSU_KIBAN: {
    descriptor: descriptorOf('KYOTSU_KIBAN'),
    sink: ({ urls, timeoutMs }) => kyotsuKibanSink(urls.KYOTSU_KIBAN, timeoutMs),
    simulator: ({ port }) => kyotsuKibanSimulator(port),
  },
  TOUGOU_ATENA: {
    descriptor: descriptorOf('TOUGOU_ATENA'),
    sink: ({ urls, timeoutMs }) => tougouAtenaSink(urls.TOUGOU_ATENA, timeoutMs),
    simulator: ({ port, urlOf, ingress }) =>
      tougouAtenaSimulator(port, () => urlOf('CHUKAN_SERVER'), ingress),
  },
  CONVENI_ISSUANCE: {
    descriptor: descriptorOf('CONVENI_ISSUANCE'),
    sink: ({ urls, timeoutMs }) => conveniIssuanceSink(urls.CONVENI_ISSUANCE, timeoutMs),
    simulator: ({ port, ingress, urlOf }) =>
      conveniIssuanceSimulator({
        port,
        ingress,
        kosekiUrl: () => urlOf('KOSEKI'),
        // The 附票 system (connectors/koseki-fuhyo/, HUB_KOSEKI_FUHYO_URL); 附票 not offered without one.
        kosekiFuhyoUrl: () => process.env['HUB_KOSEKI_FUHYO_URL'],
      }),
  },
  JLIS_CERT_CENTER: {
    descriptor: descriptorOf('JLIS_CERT_CENTER'),
    sink: ({ urls, timeoutMs }) => jlisCertCenterSink(urls.JLIS_CERT_CENTER, timeoutMs),
    simulator: ({ port, ingress }) => jlisCertCenterSimulator({ port, ingress }),
  },
  KOSEKI_FUHYO: {
    descriptor: descriptorOf('KOSEKI_FUHYO'),
    sink: ({ urls, timeoutMs }) => kosekiFuhyoSink(urls.KOSEKI_FUHYO, timeoutMs),
    simulator: ({ port, ingress }) => kosekiFuhyoSimulator({ port, ingress }),
  },
  MOJ_TERMINAL: {
    descriptor: descriptorOf('MOJ_TERMINAL'),
    sink: ({ urls, exchangeDir, timeoutMs }) =>
      mojTerminalSink({
        baseUrl: urls.MOJ_TERMINAL,
        exchangeDir,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      }),
    simulator: ({ port, exchangeDir }) => mojTerminalSimulator({ port, exchangeDir }),
  },
  TOUGOU_TANMATSU: {
    descriptor: descriptorOf('TOUGOU_TANMATSU'),
    simulator: ({ port }) => tougouTanmatsuSimulator(port),
  },
};

/** Every file layout of every connector, by name (`hub publish --layout <name>`). */
export const fileLayouts: ReadonlyMap<string, FileLayout> = new Map(
  simSystems.flatMap((system) =>
    (connectors[system].fileLayouts ?? []).map((layout) => [layout.name, layout] as const),
  ),
);

/** The layout a dropped file is read with: the longest layout name its file name starts with. */
export function layoutForFile(fileName: string): FileLayout | undefined {
  return layoutForFileIn(fileLayouts.values(), fileName);
}

/** The exchange folder under the hub's data directory. */
export function exchangeDirOf(config: Pick<HubConfig, 'dataDir'>): string {
  return join(config.dataDir, 'exchange');
}

/** Every sink, for the given endpoints. */
export function sinksFor(settings: ConnectorSettings): Sink[] {
  return simSystems.flatMap((system) => {
    const sink = connectors[system].sink;
    return sink === undefined ? [] : [sink(settings)];
  });
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
  const create = (system: SimSystem): Simulator =>
    connectors[system].simulator({
      port: portOf(system),
      ingress: options.ingress,
      exchangeDir: options.exchangeDir,
      urlOf,
    });
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
