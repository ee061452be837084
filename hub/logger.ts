import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { maskText, maskValue } from './security/mask.js';

/**
 * The fields every log line carries so that the lines of several replicas can be told apart: the
 * host, the process id and the replica id (`HUB_REPLICA_ID`, by default `<hostname>-<pid>`, which is
 * unique on one machine; a deployment sets it to the name its orchestrator gives the replica).
 */
export function replicaFields(env: NodeJS.ProcessEnv = process.env): {
  service: 'hub';
  hostname: string;
  pid: number;
  replica: string;
} {
  const host = hostname();
  const replica = env['HUB_REPLICA_ID']?.trim();
  return {
    service: 'hub',
    hostname: host,
    pid: process.pid,
    replica: replica === undefined || replica === '' ? `${host}-${String(process.pid)}` : replica,
  };
}

/**
 * Every log line passes through the one masking helper (hub/security/mask.ts): fields named like
 * personal data (myNumber, name, address, …) are replaced, and every string is scanned for valid
 * My Numbers (ASCII or full width, with separators). Log ids and schema paths, never payloads.
 */
export function createRoot(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: replicaFields(),
      // ISO text, not epoch milliseconds: a 13-digit run would be read as a number glued in a run
      // (hub/security/my-number.ts) by every scanner of the log.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (object) => maskValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === 'string' ? maskText(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination ?? process.stdout,
  );
}

const output: { destination?: NodeJS.WritableStream; pinnedLevel?: string } = {};
let root: Logger = createRoot(process.env['HUB_LOG_LEVEL'] ?? 'info');

/** The one root logger. Components ask for a child; nobody calls console.* for operational output. */
export function logger(): Logger {
  return root;
}

/**
 * A child logger for one component (`broker`, `engine`, `store`, `http`, …). It follows later
 * `configureLogger` calls, so modules may create theirs at load time.
 */
export function loggerFor(component: string): Logger {
  const children = new Map<Logger, Logger>();
  const current = () => {
    let child = children.get(root);
    if (!child) {
      children.clear();
      child = root.child({ component });
      children.set(root, child);
    }
    return child;
  };
  return new Proxy(Object.create(null) as Logger, {
    get(_target, property) {
      const child = current();
      const value: unknown = Reflect.get(child, property, child);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(child)
        : value;
    },
  });
}

/**
 * Replaces the root logger's level or destination (start-up, tests). A call that names no
 * destination keeps the current one, so `startHub` setting the level does not undo a redirect.
 * `pinLevel` fixes the level for the rest of the process: later calls keep it. The test suite pins
 * `debug`, so that a hub it starts in-process with its configured level still writes every line
 * the code can write into the log that is scanned for My Numbers (issue 25).
 */
export function configureLogger(options: {
  level?: string;
  destination?: NodeJS.WritableStream;
  pinLevel?: boolean;
}): void {
  if (options.destination !== undefined) output.destination = options.destination;
  if (options.pinLevel === true) output.pinnedLevel = options.level ?? root.level;
  root = createRoot(output.pinnedLevel ?? options.level ?? root.level, output.destination);
}
