/**
 * The table of systems, assembled from the connectors' descriptors (`connectors/<system>/descriptor.ts`)
 * and nothing else: ids, ports and names are written once, in the descriptor. Light on purpose (data
 * only), so the configuration can read it without loading sinks or simulators; the connectors
 * themselves are registered in `connectors/index.ts`.
 */
import { cardKanriDescriptor } from '../card-kanri/descriptor.js';
import { chukanServerDescriptor } from '../chukan-server/descriptor.js';
import { conveniIssuanceDescriptor } from '../conveni-issuance/descriptor.js';
import { jlisCertCenterDescriptor } from '../jlis-cert-center/descriptor.js';
import {
  infoProvisionNetworkDescriptor,
  jukinetCsDescriptor,
  nationalServerDescriptor,
  otherMunicipalityDescriptor,
  prefectureServerDescriptor,
} from '../jukinet-cs/descriptor.js';
import { kizonJukiDescriptor } from '../kizon-juki/descriptor.js';
import { kosekiDescriptor } from '../koseki/descriptor.js';
import { kosekiFuhyoDescriptor } from '../koseki-fuhyo/descriptor.js';
import { kyotsuKibanDescriptor } from '../kyotsu-kiban/descriptor.js';
import { mojTerminalDescriptor } from '../moj-terminal/descriptor.js';
import { tougouAtenaDescriptor } from '../tougou-atena/descriptor.js';
import { tougouTanmatsuDescriptor } from '../tougou-tanmatsu/descriptor.js';
import type { SystemDescriptor } from './descriptor.js';

/** Every system's descriptor, in start order (servers a simulator forwards to start first). */
export const systemDescriptors = [
  prefectureServerDescriptor,
  nationalServerDescriptor,
  otherMunicipalityDescriptor,
  infoProvisionNetworkDescriptor,
  cardKanriDescriptor,
  chukanServerDescriptor,
  kosekiDescriptor,
  jukinetCsDescriptor,
  kizonJukiDescriptor,
  kyotsuKibanDescriptor,
  tougouAtenaDescriptor,
  conveniIssuanceDescriptor,
  jlisCertCenterDescriptor,
  kosekiFuhyoDescriptor,
  mojTerminalDescriptor,
  tougouTanmatsuDescriptor,
] as const;

/** Every simulated system (SystemId of the catalogue, plus the servers behind the CS). */
export type SimSystem = (typeof systemDescriptors)[number]['system'];

/** Every simulated system, in start order. */
export const simSystems: readonly SimSystem[] = systemDescriptors.map(
  (descriptor) => descriptor.system,
);

/** The descriptor of a system. */
export function descriptorOf(system: SimSystem): SystemDescriptor {
  const found = systemDescriptors.find((descriptor) => descriptor.system === system);
  if (found === undefined) throw new Error(`no descriptor for ${system}`);
  return found;
}

/** Default simulator ports (18xxx, away from the hub's 1880). */
export const defaultPorts: Readonly<Record<SimSystem, number>> = Object.fromEntries(
  systemDescriptors.map((descriptor) => [descriptor.system, descriptor.defaultPort]),
) as Record<SimSystem, number>;

/** A system by its id, folder name (`hub simulate jukinet-cs`) or alias (`cs`), any case. */
export function parseSimSystem(name: string): SimSystem | undefined {
  const wanted = name.trim().toUpperCase().replace(/-/g, '_');
  // A system behind another shares that one's folder: the folder name means the front system.
  const names = (descriptor: SystemDescriptor) => [
    descriptor.system,
    ...('behind' in descriptor ? [] : [descriptor.folder]),
    ...(descriptor.aliases ?? []),
  ];
  const hit = systemDescriptors.find((descriptor) =>
    names(descriptor).some((known) => known.toUpperCase().replace(/-/g, '_') === wanted),
  );
  return hit?.system;
}

/** Where each simulator listens: host and port. */
export type SimAddresses = Readonly<Record<SimSystem, string>>;

/** Base URLs of the simulators for a host and port table. */
export function simAddresses(
  ports: Readonly<Record<SimSystem, number>> = defaultPorts,
  host = '127.0.0.1',
): SimAddresses {
  const entries = simSystems.map((system) => [system, `http://${host}:${String(ports[system])}`]);
  return Object.fromEntries(entries) as Record<SimSystem, string>;
}
