/**
 * The external systems the hub talks to, with the default port of each simulator. One table, so the
 * CLI, the plugin, the tests and the README agree.
 */

/** Every simulated system (SystemId of the catalogue, plus the servers behind the CS). */
export type SimSystem =
  | 'KIZON_JUKI'
  | 'JUKINET_CS'
  | 'PREFECTURE_SERVER'
  | 'NATIONAL_SERVER'
  | 'OTHER_MUNICIPALITY'
  | 'KYOTSU_KIBAN'
  | 'TOUGOU_ATENA'
  | 'CHUKAN_SERVER'
  | 'KOSEKI'
  | 'CONVENI_ISSUANCE'
  | 'JLIS_CERT_CENTER';

/** Default simulator ports (18xxx, away from the hub's 1880). */
export const defaultPorts: Readonly<Record<SimSystem, number>> = {
  KIZON_JUKI: 18101,
  JUKINET_CS: 18102,
  PREFECTURE_SERVER: 18103,
  NATIONAL_SERVER: 18104,
  OTHER_MUNICIPALITY: 18105,
  KYOTSU_KIBAN: 18106,
  TOUGOU_ATENA: 18107,
  CHUKAN_SERVER: 18108,
  KOSEKI: 18109,
  CONVENI_ISSUANCE: 18110,
  JLIS_CERT_CENTER: 18111,
};

/** Every simulated system, in start order (servers a simulator forwards to start first). */
export const simSystems: readonly SimSystem[] = [
  'PREFECTURE_SERVER',
  'NATIONAL_SERVER',
  'OTHER_MUNICIPALITY',
  'CHUKAN_SERVER',
  'KOSEKI',
  'JUKINET_CS',
  'KIZON_JUKI',
  'KYOTSU_KIBAN',
  'TOUGOU_ATENA',
  'CONVENI_ISSUANCE',
  'JLIS_CERT_CENTER',
];

/** Folder-style names accepted on the command line (`hub simulate jukinet-cs`). */
export function parseSimSystem(name: string): SimSystem | undefined {
  const upper = name.trim().toUpperCase().replace(/-/g, '_');
  const alias: Record<string, SimSystem> = {
    REGISTRY: 'KIZON_JUKI',
    CS: 'JUKINET_CS',
    PREFECTURE: 'PREFECTURE_SERVER',
    NATIONAL: 'NATIONAL_SERVER',
    CHUKAN: 'CHUKAN_SERVER',
    CONVENI: 'CONVENI_ISSUANCE',
    CENTER: 'JLIS_CERT_CENTER',
  };
  const hit = alias[upper] ?? simSystems.find((system) => system === upper);
  return hit;
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
