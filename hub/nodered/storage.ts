/**
 * Node-RED's storageModule for the hub. Flows live in the flows directory, one file per affair tab
 * (hub/nodered/flows-dir.ts), so they are reviewed and versioned like code. Saving flows is the
 * deploy: `deploy` (hub/nodered/routing.ts) lints, writes, records and applies them as one step and
 * throws (with the reasons) to refuse — Node-RED then shows the error and keeps the running flows. Credentials, settings, sessions and
 * library entries are Node-RED's own state and stay in its user directory.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkNodeSafety, formatProblems, type FlowNode } from './flow-model.js';
import { readFlowsDir } from './flows-dir.js';

/** The user Node-RED passes to saveFlows when adminAuth is on. */
export interface EditorUser {
  readonly username?: string;
}

/** Node-RED's storage API (the subset it calls on a custom module). */
export interface StorageModule {
  init(): Promise<void>;
  getFlows(): Promise<FlowNode[]>;
  saveFlows(flows: FlowNode[], user?: EditorUser): Promise<void>;
  getCredentials(): Promise<unknown>;
  saveCredentials(credentials: unknown): Promise<void>;
  getSettings(): Promise<unknown>;
  saveSettings(settings: unknown): Promise<void>;
  getSessions(): Promise<unknown>;
  saveSessions(sessions: unknown): Promise<void>;
  getLibraryEntry(type: string, path: string): Promise<unknown>;
  saveLibraryEntry(type: string, path: string, meta: unknown, body: string): Promise<void>;
}

/** Options of hubStorage. */
export interface HubStorageOptions {
  readonly flowsDir: string;
  /** Node-RED's user directory (credentials, settings, sessions, library). */
  readonly userDir: string;
  /** Deploys the flows (writes the flows directory itself); throws, having changed nothing, to refuse. */
  readonly deploy: (flows: FlowNode[], actor: string) => Promise<void>;
}

function readJson(path: string, fallback: unknown): unknown {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : fallback;
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/** The storage module backed by the flows directory. */
export function hubStorage(options: HubStorageOptions): StorageModule {
  const file = (name: string) => join(options.userDir, name);
  const libraryFile = file('library.json');
  return {
    init() {
      mkdirSync(options.userDir, { recursive: true });
      // Node-RED reads the user directory's package.json for installed modules: there are none.
      const manifest = file('package.json');
      if (!existsSync(manifest)) writeJson(manifest, { name: 'hub-node-red', private: true });
      return Promise.resolve();
    },
    getFlows() {
      // What Node-RED starts must pass the node allow-list too: a node type that runs code, put into
      // the flows directory by hand, stops the start here instead of running in the hub.
      const flows = readFlowsDir(options.flowsDir);
      const unsafe = checkNodeSafety(flows);
      if (unsafe.length > 0) {
        return Promise.reject(
          Object.assign(
            new Error(
              `${options.flowsDir} holds nodes the hub refuses / ハブが許可しないノードがあります:\n${formatProblems(unsafe)}`,
            ),
            { code: 'flows_refused' },
          ),
        );
      }
      return Promise.resolve(flows);
    },
    async saveFlows(flows, user) {
      await options.deploy(flows, user?.username ?? 'editor');
    },
    getCredentials: () => Promise.resolve(readJson(file('credentials.json'), {})),
    saveCredentials(credentials) {
      writeJson(file('credentials.json'), credentials);
      return Promise.resolve();
    },
    getSettings: () => Promise.resolve(readJson(file('settings.json'), {})),
    saveSettings(settings) {
      writeJson(file('settings.json'), settings);
      return Promise.resolve();
    },
    getSessions: () => Promise.resolve(readJson(file('sessions.json'), {})),
    saveSessions(sessions) {
      writeJson(file('sessions.json'), sessions);
      return Promise.resolve();
    },
    getLibraryEntry(type, path) {
      const library = readJson(libraryFile, {}) as Record<string, unknown>;
      const entry = library[`${type}:${path}`];
      if (entry === undefined) {
        // Node-RED lists a library folder by asking for it; an empty folder is an empty list.
        return path === '' || path.endsWith('/')
          ? Promise.resolve([])
          : Promise.reject(new Error('not found'));
      }
      return Promise.resolve(entry);
    },
    saveLibraryEntry(type, path, _meta, body) {
      const library = readJson(libraryFile, {}) as Record<string, unknown>;
      library[`${type}:${path}`] = body;
      writeJson(libraryFile, library);
      return Promise.resolve();
    },
  };
}
