/**
 * The CLI's view of modules that other pieces of work provide. Each is imported when a command needs
 * it, so the CLI starts fast and still builds while those modules are being written; each signature
 * here is the contract agreed with its owner.
 */
import type { Store } from '../store/types.js';
import { optionalFunction } from './optional.js';

/** `probeBroker` of hub/broker/probe.ts: one connect-and-close round trip to RabbitMQ. */
export type ProbeBroker = (
  url: string,
  timeoutMs: number,
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer },
) => Promise<{ ok: boolean; detail: string }>;

/** `openStore` of hub/store/index.ts. */
export type OpenStore = (
  dbUrl: string,
  options: { migrate: boolean; tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer } },
) => Promise<Store>;

/** `migrateCommand` of hub/store/migrate.ts. */
export type MigrateCommand = (dbUrl: string) => Promise<{ applied: string[]; current: string[] }>;

/** `schemaRegistry` of schemas/registry.ts; the registry is opaque to the CLI. */
export type SchemaRegistryFactory = () => unknown;

/** `validateCommand` of hub/cli/validate.ts. */
export type ValidateCommand = (
  messageType: string,
  inputText: string,
  registry: unknown,
) => { ok: boolean; lines: string[] } | Promise<{ ok: boolean; lines: string[] }>;

/** `schemasListLines` of hub/cli/validate.ts. */
export type SchemasListLines = (registry: unknown) => string[];

/** The broker probe, or undefined until hub/broker/probe.ts lands. */
export async function loadProbeBroker(): Promise<ProbeBroker | undefined> {
  return (await optionalFunction('../broker/probe.js', 'probeBroker')) as ProbeBroker | undefined;
}

/** The store opener, or undefined until hub/store/index.ts lands. */
export async function loadOpenStore(): Promise<OpenStore | undefined> {
  return (await optionalFunction('../store/index.js', 'openStore')) as OpenStore | undefined;
}

/** The migration command, or undefined until hub/store/migrate.ts lands. */
export async function loadMigrateCommand(): Promise<MigrateCommand | undefined> {
  return (await optionalFunction('../store/migrate.js', 'migrateCommand')) as
    MigrateCommand | undefined;
}

/** The schema registry factory, or undefined until schemas/registry.ts lands. */
export async function loadSchemaRegistry(): Promise<SchemaRegistryFactory | undefined> {
  return await optionalFunction('../../schemas/registry.js', 'schemaRegistry');
}

/** The validate command's logic, or undefined until hub/cli/validate.ts lands. */
export async function loadValidate(): Promise<
  { validateCommand: ValidateCommand; schemasListLines: SchemasListLines } | undefined
> {
  const validateCommand = (await optionalFunction('./validate.js', 'validateCommand')) as
    ValidateCommand | undefined;
  const schemasListLines = (await optionalFunction('./validate.js', 'schemasListLines')) as
    SchemasListLines | undefined;
  if (validateCommand === undefined || schemasListLines === undefined) return undefined;
  return { validateCommand, schemasListLines };
}
