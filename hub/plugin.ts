/**
 * The plugin contract (apart from the list of plugins in `plugins.ts`). A plugin declares what it
 * uses — fastify-style — and receives exactly that: `servicesFor` hands it an object holding the
 * declared services and nothing else, so a dependency is visible in the plugin's first lines and
 * the type checker refuses the use of one that is not declared.
 */
import type { Express } from 'express';
import type { Server } from 'node:http';
import type { Broker } from './broker/index.js';
import type { HubConfig } from './config.js';
import type { Engine } from './engine/engine.js';
import type { Routing } from './nodered/routing.js';
import type { Credentials } from './http/auth.js';
import type { HubMetrics } from './metrics.js';
import type { KeyRing } from './security/keys.js';
import type { Store } from './store/types.js';
import type { SchemaRegistry } from '../schemas/registry.js';

/** Everything the composition root (`startHub`) can hand a plugin. */
export interface HubServices {
  readonly config: HubConfig;
  readonly store: Store;
  readonly broker: Broker;
  readonly engine: Engine;
  /** The deployed flows: deploys go through it (the editor), retired queues are read from it. */
  readonly routing: Routing;
  /** The HTTP app: mount routers under `/api/...` (with `authenticate(credentials)`). */
  readonly app: Express;
  /** The HTTP server under `app` (Node-RED's editor needs it for its websocket). */
  readonly server: Server;
  readonly credentials: Credentials;
  readonly keyRing: KeyRing;
  readonly metrics: HubMetrics;
  readonly catalogue: SchemaRegistry;
}

/** The name of one service a plugin may declare. */
export type ServiceName = keyof HubServices;

// Every key of HubServices, once: a service added there and not here fails to compile.
const everyService: Readonly<Record<ServiceName, true>> = {
  config: true,
  store: true,
  broker: true,
  engine: true,
  routing: true,
  app: true,
  server: true,
  credentials: true,
  keyRing: true,
  metrics: true,
  catalogue: true,
};

/** Every service, by name (a plugin that needs them all, and the checks of declarations). */
export const serviceNames = Object.keys(everyService) as readonly ServiceName[];

/** All services (what a test or a tool that builds its own plugin context passes). */
export type HubContext = HubServices;

/** A running plugin; `stop` is called in reverse start order at shutdown. */
export interface PluginHandle {
  stop(): Promise<void>;
  /** What the plugin adds to /readyz (optional): an entry that is not ok makes the hub not ready. */
  readiness?(): import('./main.js').DependencyStatus[];
}

/**
 * A part of the hub started after the core (ingest endpoints, the dead-letter archiver, the
 * simulators, the editor …), receiving only the services it `needs`.
 */
export interface HubPlugin<N extends ServiceName = ServiceName> {
  readonly name: string;
  /** The services the plugin uses; it receives these and no others. */
  readonly needs: readonly N[];
  start(services: Pick<HubServices, N>): Promise<PluginHandle>;
}

/** Declares a plugin, inferring its services from `needs`. */
export function definePlugin<const N extends ServiceName>(plugin: HubPlugin<N>): HubPlugin<N> {
  return plugin;
}

/** The declared services of a plugin, and nothing else. */
export function servicesFor<N extends ServiceName>(
  all: HubServices,
  needs: readonly N[],
): Pick<HubServices, N> {
  const picked: Partial<Record<ServiceName, unknown>> = {};
  for (const name of needs) {
    if (!(name in all)) throw new Error(`unknown hub service ${name}`);
    picked[name] = all[name];
  }
  return Object.freeze(picked) as Pick<HubServices, N>;
}
