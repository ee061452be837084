import type { Express } from 'express';
import type { Broker } from './broker/index.js';
import type { HubConfig } from './config.js';
import type { Engine } from './engine/engine.js';
import type { Routing } from './nodered/routing.js';
import type { Credentials } from './http/auth.js';
import type { HubMetrics } from './metrics.js';
import type { KeyRing } from './security/keys.js';
import type { Store } from './store/types.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { connectorsPlugin } from '../connectors/plugin.js';
import { deadLettersPlugin } from './dead-letters/http.js';
import { ingestPlugin } from './ingest/index.js';
import { editorPlugin } from './nodered/editor.js';

/** What a plugin gets from the composition root. */
export interface HubContext {
  readonly config: HubConfig;
  readonly store: Store;
  readonly broker: Broker;
  readonly engine: Engine;
  /** The deployed flows: deploys go through it (the editor), retired queues are read from it. */
  readonly routing: Routing;
  /** The HTTP app: mount routers under `/api/...` (with `authenticate(credentials)`). */
  readonly app: Express;
  /** The HTTP server under `app` (Node-RED's editor needs it for its websocket). */
  readonly server: import('node:http').Server;
  readonly credentials: Credentials;
  readonly keyRing: KeyRing;
  readonly metrics: HubMetrics;
  readonly catalogue: SchemaRegistry;
}

/** A running plugin; `stop` is called in reverse start order at shutdown. */
export interface PluginHandle {
  stop(): Promise<void>;
}

/**
 * A part of the hub started after the core (ingest endpoints, the dead-letter archiver, the
 * simulators, the editor …). Each feature registers one line in `defaultPlugins`.
 */
export interface HubPlugin {
  readonly name: string;
  start(context: HubContext): Promise<PluginHandle>;
}

/** The plugins `hub start` runs, in start order. */
export const defaultPlugins: readonly HubPlugin[] = [
  ingestPlugin,
  connectorsPlugin,
  deadLettersPlugin,
  editorPlugin,
];
