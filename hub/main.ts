import type { HubConfig } from './config.js';

/** Readiness of one dependency, as `/readyz` and `hub doctor` report it. */
export interface DependencyStatus {
  readonly name: 'broker' | 'store' | 'engine';
  readonly ok: boolean;
  /** Where it was tried (URL without password) and what is wrong, in English and Japanese. */
  readonly detail: string;
}

/** A running hub: the composition root's handle. */
export interface RunningHub {
  /** The port the HTTP server listens on (useful when HUB_HTTP_PORT=0). */
  readonly httpPort: number;
  /** Broker, store and engine readiness. */
  readiness(): Promise<DependencyStatus[]>;
  /** Graceful shutdown: stop consuming, finish or return in-flight messages, flush, close. */
  stop(): Promise<void>;
}

/** Starts the hub: store (migrations), broker, engine routes, HTTP. Implemented in the engine work. */
export function startHub(config: HubConfig): Promise<RunningHub> {
  return Promise.reject(new Error(`startHub is not wired yet (${config.httpHost})`));
}
