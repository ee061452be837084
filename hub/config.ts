import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { systemDescriptors, type SimSystem } from '../connectors/runtime/systems.js';
import { ClosureSyntaxError, parseClosures, type Closure } from './calendar/business-calendar.js';
import { ConfigError } from './errors.js';
import { isOrigin } from './http/cors.js';

/** The hub's configuration, read from `HUB_*` environment variables and validated at start. */
export interface HubConfig {
  /** AMQP URL of the broker (`HUB_AMQP_URL`). */
  readonly amqpUrl: string;
  /** Store URL (`HUB_DB_URL`): `sqlite:<path>` or `mysql://user:pass@host:port/db`. */
  readonly dbUrl: string;
  /** HTTP port for the editor, API, metrics and health (`HUB_HTTP_PORT`). */
  readonly httpPort: number;
  /** Host the HTTP server binds to (`HUB_HTTP_HOST`). */
  readonly httpHost: string;
  /** Log level (`HUB_LOG_LEVEL`). */
  readonly logLevel: LogLevel;
  /** Prefetch per step consumer (`HUB_PREFETCH`). */
  readonly prefetch: number;
  /** Demo mode (`HUB_MODE=demo`, the default): simulators on, a local key is created if none is set. */
  readonly mode: 'demo' | 'production';
  /** Whether to start the simulators of the external systems (`HUB_SIMULATORS`). */
  readonly simulators: boolean;
  /** Key for keyed hashes and payload encryption (`HUB_SECRET_KEY`, hex or base64, ≥ 32 bytes). */
  readonly secretKey: string | undefined;
  /** File holding the key when `HUB_SECRET_KEY` is not set (`HUB_SECRET_KEY_FILE`). */
  readonly secretKeyFile: string;
  /** Milliseconds between checks of the key file for a rotation (`HUB_KEY_RELOAD_MS`, 0 = only SIGHUP). */
  readonly keyReloadMs: number;
  /** Directory for local state (SQLite file, demo key) (`HUB_DATA_DIR`). */
  readonly dataDir: string;
  /** The Japanese font embedded in counter certificates (`HUB_CERTIFICATE_FONT`, affair 3). */
  readonly certificateFont: string;
  /** Milliseconds a graceful shutdown waits for in-flight messages (`HUB_SHUTDOWN_TIMEOUT_MS`). */
  readonly shutdownTimeoutMs: number;
  /** This municipality's 全国地方公共団体コード (`HUB_LG_CODE`, 6 digits with its check digit). */
  readonly lgCode: string;
  /** Milliseconds a missing 法務省通知 sequence number may hold later ones before the alert (`HUB_MOJ_GAP_ALERT_MS`). */
  readonly mojGapAlertMs: number;
  /** TLS files for amqps:// (`HUB_AMQP_CA_FILE`, `HUB_AMQP_CERT_FILE`, `HUB_AMQP_KEY_FILE`). */
  readonly amqpTls: TlsFiles;
  /** TLS files for MySQL/MariaDB (`HUB_DB_CA_FILE`, `HUB_DB_CERT_FILE`, `HUB_DB_KEY_FILE`). */
  readonly dbTls: TlsFiles;
  /** Root of the file-drop folders, one `<SYSTEM>/in` per legacy system (`HUB_DROP_DIR`). */
  readonly dropDir: string;
  /** Milliseconds between file-drop scans (`HUB_DROP_POLL_MS`). */
  readonly dropPollMs: number;
  /**
   * What becomes of a dropped file once its records are durable (`HUB_DROP_ARCHIVE`): `encrypted`
   * (default: kept in archive/ sealed with the key ring, mode 0600) or `delete`.
   */
  readonly dropArchive: 'encrypted' | 'delete';
  /**
   * The city's own closures for the business calendar (`HUB_CITY_CLOSURES`: `YYYY-MM-DD`,
   * `YYYY-MM-DD..YYYY-MM-DD` or yearly `MM-DD`, comma- or line-separated; or `@<file>` to read them
   * from a file), besides weekends, national holidays and 年末年始.
   */
  readonly cityClosures: readonly Closure[];
  /** When the business morning starts, `HH:MM` Japan time (`HUB_BUSINESS_MORNING`). */
  readonly businessMorning: string;
  /** Business days after the planned move-out a 転入通知 may take before it is overdue (`HUB_MOVE_IN_NOTICE_DAYS`). */
  readonly moveInNoticeDays: number;
  /** Milliseconds between scans for overdue 転入通知; 0 turns the timer off (`HUB_MOVE_IN_TIMER_POLL_MS`). */
  readonly moveInTimerPollMs: number;
  /** Milliseconds between polls of the `hub_outbox` table; 0 turns the poller off (`HUB_OUTBOX_POLL_MS`). */
  readonly outboxPollMs: number;
  /** Largest HTTP ingest body in bytes (`HUB_INGEST_MAX_BYTES`). */
  readonly ingestMaxBytes: number;
  /**
   * Largest single record any ingest path publishes, in bytes (`HUB_INGEST_MAX_RECORD_BYTES`): a
   * file line, an outbox row, an HTTP body. Well below the broker's max_message_size (128 MiB), which
   * closes the shared publishing channel when exceeded.
   */
  readonly ingestMaxRecordBytes: number;
  /** Origins allowed cross-origin access to the API and the editor (`HUB_CORS_ORIGINS`); none by default. */
  readonly corsOrigins: readonly string[];
  /** Express `trust proxy` (`HUB_TRUST_PROXY`): which proxies' X-Forwarded-For names the client. */
  readonly trustProxy: string | undefined;
  /** Sign-in attempts per client address before it is slowed down (`HUB_LOGIN_CLIENT_ATTEMPTS`). */
  readonly loginClientAttempts: number;
  /** Sign-in attempts on one user name from unknown clients before they are slowed (`HUB_LOGIN_USER_ATTEMPTS`). */
  readonly loginUserAttempts: number;
  /** Whether to serve the Node-RED editor at /editor (`HUB_EDITOR`). */
  readonly editor: boolean;
  /** Folder of the Node-RED flow files (`HUB_FLOWS_DIR`). */
  readonly flowsDir: string;
  /**
   * How much V8 lets the heap grow past the live data before it collects, in percent
   * (`HUB_HEAP_GROWING_PERCENT`; 0 = V8's own choice, which lets a streaming hub's RSS swell).
   */
  readonly heapGrowingPercent: number;
  /**
   * This replica's name in logs, metrics, `/readyz`, heartbeats and claims (`HUB_REPLICA_ID`;
   * default `<host>-<pid>`, as in the log lines).
   */
  readonly replicaId: string;
  /**
   * How long a replica's claim on a message's business key holds before another replica may take
   * the message over (`HUB_CLAIM_LEASE_MS`): the time a crashed replica's messages wait.
   */
  readonly claimLeaseMs: number;
  /** Seconds between heartbeat rows of this replica (`HUB_HEARTBEAT_MS`). */
  readonly heartbeatMs: number;
  /**
   * Base URL of each external system the hub delivers to (`HUB_<SYSTEM>_URL`, e.g.
   * `HUB_JUKINET_CS_URL`); a system without one is reached at its simulator's local address.
   */
  readonly systemUrls: Readonly<Partial<Record<SimSystem, string>>>;
}

/** Paths of PEM files for one TLS link; `enabled` when a CA was given (the server is then verified). */
export interface TlsFiles {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const logLevels: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Every variable the hub reads, with its meaning; `hub --help` and the docs list these. */
export const configVariables: readonly { name: string; default: string; meaning: string }[] = [
  {
    name: 'HUB_AMQP_URL',
    default: 'amqp://guest:guest@127.0.0.1:5672',
    meaning: 'RabbitMQ URL; several nodes of a cluster separated by commas',
  },
  {
    name: 'HUB_DB_URL',
    default: 'sqlite:./data/hub.sqlite',
    meaning: 'store: sqlite:<file> or mysql://user:pass@host:3306/db',
  },
  { name: 'HUB_HTTP_PORT', default: '1880', meaning: 'HTTP port (editor, API, metrics, health)' },
  { name: 'HUB_HTTP_HOST', default: '127.0.0.1', meaning: 'HTTP bind address' },
  { name: 'HUB_LOG_LEVEL', default: 'info', meaning: logLevels.join('|') },
  {
    name: 'HUB_REPLICA_ID',
    default: '<hostname>-<pid>',
    meaning: 'replica id in every log line (hostname and pid are there too)',
  },
  { name: 'HUB_PREFETCH', default: '32', meaning: 'unacknowledged messages per step consumer' },
  { name: 'HUB_MODE', default: 'demo', meaning: 'demo | production' },
  { name: 'HUB_SIMULATORS', default: 'on in demo mode', meaning: 'on | off' },
  { name: 'HUB_SECRET_KEY', default: '(none)', meaning: 'key for hashes/encryption, ≥32 bytes' },
  { name: 'HUB_SECRET_KEY_FILE', default: './data/secret.key', meaning: 'file holding the key' },
  {
    name: 'HUB_KEY_RELOAD_MS',
    default: '5000',
    meaning: 'key file check interval (rotation); 0 = SIGHUP only',
  },
  { name: 'HUB_DATA_DIR', default: './data', meaning: 'local state directory' },
  {
    name: 'HUB_CERTIFICATE_FONT',
    default: '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf',
    meaning:
      'Japanese TrueType font embedded in counter certificates (Debian fonts-ipaexfont-gothic)',
  },
  { name: 'HUB_SHUTDOWN_TIMEOUT_MS', default: '15000', meaning: 'graceful shutdown budget' },
  {
    name: 'HUB_LG_CODE',
    default: '131016',
    meaning: "this city's 地方公共団体コード (with check digit)",
  },
  {
    name: 'HUB_MOJ_GAP_ALERT_MS',
    default: '600000',
    meaning: '法務省通知: how long a sequence gap holds later notices before the alert',
  },
  { name: 'HUB_AMQP_CA_FILE', default: '(system CAs)', meaning: 'PEM CA for amqps://' },
  { name: 'HUB_AMQP_CERT_FILE', default: '(none)', meaning: 'client certificate for amqps://' },
  { name: 'HUB_AMQP_KEY_FILE', default: '(none)', meaning: 'client key for amqps://' },
  { name: 'HUB_DB_CA_FILE', default: '(none: plain TCP)', meaning: 'PEM CA: turns on MySQL TLS' },
  { name: 'HUB_DB_CERT_FILE', default: '(none)', meaning: 'client certificate for MySQL TLS' },
  { name: 'HUB_DB_KEY_FILE', default: '(none)', meaning: 'client key for MySQL TLS' },
  {
    name: 'HUB_DROP_DIR',
    default: './data/drop',
    meaning: 'file drop root: <SYSTEM>/in per system',
  },
  { name: 'HUB_DROP_POLL_MS', default: '2000', meaning: 'file drop scan interval' },
  { name: 'HUB_OUTBOX_POLL_MS', default: '1000', meaning: 'hub_outbox poll interval (0 = off)' },
  {
    name: 'HUB_CITY_CLOSURES',
    default: '(none)',
    meaning: "the city's closures: YYYY-MM-DD, ranges a..b, yearly MM-DD; or @file",
  },
  { name: 'HUB_BUSINESS_MORNING', default: '08:30', meaning: 'start of a business morning (JST)' },
  {
    name: 'HUB_MOVE_IN_NOTICE_DAYS',
    default: '14',
    meaning: '転入通知 overdue after this many business days past the planned move-out',
  },
  {
    name: 'HUB_MOVE_IN_TIMER_POLL_MS',
    default: '60000',
    meaning: 'overdue 転入通知 scan interval (0 = off)',
  },
  { name: 'HUB_INGEST_MAX_BYTES', default: '1048576', meaning: 'largest HTTP ingest body' },
  {
    name: 'HUB_INGEST_MAX_RECORD_BYTES',
    default: '4194304',
    meaning: 'largest record ingested (file line, outbox row, HTTP body)',
  },
  {
    name: 'HUB_CORS_ORIGINS',
    default: '(none: no cross-origin access)',
    meaning: 'comma-separated origins allowed cross-origin access, e.g. https://ops.city.example',
  },
  {
    name: 'HUB_TRUST_PROXY',
    default: '(off)',
    meaning: 'proxies whose X-Forwarded-For names the client, e.g. loopback or 10.0.0.0/8',
  },
  {
    name: 'HUB_LOGIN_CLIENT_ATTEMPTS',
    default: '10',
    meaning: 'sign-in attempts per client address, then one per 6 s (429)',
  },
  {
    name: 'HUB_LOGIN_USER_ATTEMPTS',
    default: '50',
    meaning: 'sign-in attempts per user name from unknown clients, then one per 30 s (429)',
  },
  { name: 'HUB_EDITOR', default: 'on', meaning: 'Node-RED editor at /editor (on | off)' },
  { name: 'HUB_FLOWS_DIR', default: './flows', meaning: 'Node-RED flow files' },
  {
    name: 'HUB_HEAP_GROWING_PERCENT',
    default: '50',
    meaning: 'heap growth before V8 collects, % (0 = V8 default)',
  },
  {
    name: 'HUB_REPLICA_ID',
    default: '<host>-<pid>',
    meaning: 'name of this replica in logs, metrics, /readyz and hub doctor',
  },
  {
    name: 'HUB_CLAIM_LEASE_MS',
    default: '15000',
    meaning: 'how long a replica holds a message it claimed before another may take it over',
  },
  {
    name: 'HUB_HEARTBEAT_MS',
    default: '5000',
    meaning: 'how often a replica writes its heartbeat',
  },
  {
    name: 'HUB_<SYSTEM>_URL',
    default: 'the simulator on 127.0.0.1',
    meaning: 'base URL of a system, e.g. HUB_JUKINET_CS_URL, HUB_KIZON_JUKI_URL',
  },
];

/** 全国地方公共団体コード: weights 6 5 4 3 2 over the first five digits, cd = (11 − Σ mod 11) mod 10. */
function isLgCode(value: string): boolean {
  if (!/^[0-9]{6}$/.test(value)) return false;
  const sum = [6, 5, 4, 3, 2].reduce(
    (total, weight, index) => total + weight * Number(value[index]),
    0,
  );
  return (11 - (sum % 11)) % 10 === Number(value[5]);
}

type Env = Readonly<Record<string, string | undefined>>;

function dropArchiveOf(raw: string | undefined): 'encrypted' | 'delete' {
  if (raw === undefined || raw === 'encrypted') return 'encrypted';
  if (raw === 'delete') return 'delete';
  throw new ConfigError('HUB_DROP_ARCHIVE', `must be encrypted or delete, got "${raw}"`);
}

function text(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function cityClosures(env: Env): Closure[] {
  const raw = text(env, 'HUB_CITY_CLOSURES');
  if (raw === undefined) return [];
  let source = raw;
  if (raw.startsWith('@')) {
    const path = resolve(raw.slice(1));
    if (!existsSync(path)) {
      throw new ConfigError('HUB_CITY_CLOSURES', `the closures file ${path} does not exist`);
    }
    source = readFileSync(path, 'utf8');
  }
  try {
    return parseClosures(source);
  } catch (error) {
    if (error instanceof ClosureSyntaxError) {
      throw new ConfigError('HUB_CITY_CLOSURES', `${error.message} / ${error.ja}`);
    }
    throw error;
  }
}

function businessMorning(env: Env): string {
  const raw = text(env, 'HUB_BUSINESS_MORNING') ?? '08:30';
  if (!/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(raw)) {
    throw new ConfigError('HUB_BUSINESS_MORNING', `must be HH:MM (Japan time), got "${raw}"`);
  }
  return raw;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be on or off, got "${raw}"`);
}

function amqpUrl(env: Env): string {
  const raw = text(env, 'HUB_AMQP_URL') ?? 'amqp://guest:guest@127.0.0.1:5672';
  // Several nodes of one cluster, comma-separated: the hub connects to the first that answers and
  // fails over to the next (hub/broker/connection.ts).
  const parts = raw.split(',').map((part) => part.trim());
  for (const [index, part] of parts.entries()) {
    const which = parts.length > 1 ? ` (node ${String(index + 1)} of ${String(parts.length)})` : '';
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      throw new ConfigError(
        'HUB_AMQP_URL',
        `is not a URL${which} (expected amqp://user:pass@host:5672/vhost, several separated by commas)`,
      );
    }
    if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
      throw new ConfigError(
        'HUB_AMQP_URL',
        `must start with amqp:// or amqps://${which}, got "${url.protocol}//"`,
      );
    }
    if (url.hostname === '') throw new ConfigError('HUB_AMQP_URL', `names no host${which}`);
  }
  return parts.join(',');
}

function dbUrl(env: Env, dataDir: string): string {
  const raw = text(env, 'HUB_DB_URL');
  if (raw === undefined) return `sqlite:${resolve(dataDir, 'hub.sqlite')}`;
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '')
      throw new ConfigError('HUB_DB_URL', 'sqlite: needs a file path (sqlite:./data/hub.sqlite)');
    return `sqlite:${file === ':memory:' || isAbsolute(file) ? file : resolve(file)}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('HUB_DB_URL', 'is neither sqlite:<file> nor a mysql:// URL');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ConfigError(
      'HUB_DB_URL',
      `must be sqlite:<file> or mysql://user:pass@host:3306/db, got "${url.protocol}//"`,
    );
  }
  if (url.pathname.replace(/^\//, '') === '') {
    throw new ConfigError('HUB_DB_URL', 'names no database (mysql://root@127.0.0.1:3306/hub)');
  }
  return raw;
}

/** Reads the PEM files of one TLS link (paths were checked when the configuration was loaded). */
export function readTls(files: TlsFiles): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return {
    ...(files.ca === undefined ? {} : { ca: readFileSync(files.ca) }),
    ...(files.cert === undefined ? {} : { cert: readFileSync(files.cert) }),
    ...(files.key === undefined ? {} : { key: readFileSync(files.key) }),
  };
}

function tlsFiles(env: Env, prefix: 'HUB_AMQP' | 'HUB_DB'): TlsFiles {
  const file = (suffix: string): string | undefined => {
    const name = `${prefix}_${suffix}`;
    const path = text(env, name);
    if (path === undefined) return undefined;
    if (!existsSync(path)) throw new ConfigError(name, `names a file that does not exist: ${path}`);
    return resolve(path);
  };
  const files = { ca: file('CA_FILE'), cert: file('CERT_FILE'), key: file('KEY_FILE') };
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw new ConfigError(`${prefix}_CERT_FILE`, `and ${prefix}_KEY_FILE must be set together`);
  }
  return files;
}

/** Reads and validates the configuration. Throws ConfigError naming the variable on a wrong value. */
export function loadConfig(env: Env = process.env): HubConfig {
  const dataDir = resolve(text(env, 'HUB_DATA_DIR') ?? 'data');
  const modeRaw = text(env, 'HUB_MODE') ?? 'demo';
  if (modeRaw !== 'demo' && modeRaw !== 'production') {
    throw new ConfigError('HUB_MODE', `must be demo or production, got "${modeRaw}"`);
  }
  const level = (text(env, 'HUB_LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new ConfigError(
      'HUB_LOG_LEVEL',
      `must be one of ${logLevels.join(', ')}, got "${level}"`,
    );
  }
  const secretKey = text(env, 'HUB_SECRET_KEY');
  const lgCode = text(env, 'HUB_LG_CODE') ?? '131016';
  if (!isLgCode(lgCode)) {
    throw new ConfigError(
      'HUB_LG_CODE',
      'must be a 6-digit 地方公共団体コード with a valid check digit',
    );
  }
  return {
    amqpUrl: amqpUrl(env),
    dbUrl: dbUrl(env, dataDir),
    httpPort: integer(env, 'HUB_HTTP_PORT', 1880, 0, 65535),
    httpHost: text(env, 'HUB_HTTP_HOST') ?? '127.0.0.1',
    logLevel: level as LogLevel,
    prefetch: integer(env, 'HUB_PREFETCH', 32, 1, 1000),
    mode: modeRaw,
    simulators: flag(env, 'HUB_SIMULATORS', modeRaw === 'demo'),
    secretKey,
    secretKeyFile: resolve(text(env, 'HUB_SECRET_KEY_FILE') ?? resolve(dataDir, 'secret.key')),
    keyReloadMs: integer(env, 'HUB_KEY_RELOAD_MS', 5000, 0, 3_600_000),
    dataDir,
    certificateFont: resolve(
      text(env, 'HUB_CERTIFICATE_FONT') ?? '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf',
    ),
    shutdownTimeoutMs: integer(env, 'HUB_SHUTDOWN_TIMEOUT_MS', 15000, 0, 600000),
    lgCode,
    mojGapAlertMs: integer(env, 'HUB_MOJ_GAP_ALERT_MS', 600_000, 100, 86_400_000),
    amqpTls: tlsFiles(env, 'HUB_AMQP'),
    dbTls: tlsFiles(env, 'HUB_DB'),
    dropDir: resolve(text(env, 'HUB_DROP_DIR') ?? resolve(dataDir, 'drop')),
    dropPollMs: integer(env, 'HUB_DROP_POLL_MS', 2000, 50, 3_600_000),
    dropArchive: dropArchiveOf(text(env, 'HUB_DROP_ARCHIVE')),
    outboxPollMs: integer(env, 'HUB_OUTBOX_POLL_MS', 1000, 0, 3_600_000),
    cityClosures: cityClosures(env),
    businessMorning: businessMorning(env),
    moveInNoticeDays: integer(env, 'HUB_MOVE_IN_NOTICE_DAYS', 14, 1, 365),
    moveInTimerPollMs: integer(env, 'HUB_MOVE_IN_TIMER_POLL_MS', 60_000, 0, 86_400_000),
    ingestMaxBytes: integer(env, 'HUB_INGEST_MAX_BYTES', 1_048_576, 1024, 104_857_600),
    ingestMaxRecordBytes: integer(env, 'HUB_INGEST_MAX_RECORD_BYTES', 4_194_304, 1024, 67_108_864),
    corsOrigins: corsOrigins(env),
    trustProxy: text(env, 'HUB_TRUST_PROXY'),
    loginClientAttempts: integer(env, 'HUB_LOGIN_CLIENT_ATTEMPTS', 10, 1, 1_000_000),
    loginUserAttempts: integer(env, 'HUB_LOGIN_USER_ATTEMPTS', 50, 1, 1_000_000),
    editor: flag(env, 'HUB_EDITOR', true),
    flowsDir: resolve(text(env, 'HUB_FLOWS_DIR') ?? 'flows'),
    systemUrls: systemUrls(env),
    heapGrowingPercent: integer(env, 'HUB_HEAP_GROWING_PERCENT', 50, 0, 1000),
    replicaId: replicaIdOf(env),
    claimLeaseMs: integer(env, 'HUB_CLAIM_LEASE_MS', 15_000, 1000, 3_600_000),
    heartbeatMs: integer(env, 'HUB_HEARTBEAT_MS', 5000, 200, 600_000),
  };
}

/** `HUB_REPLICA_ID`: letters, digits and `.:_-`, at most 64; default from the host and port. */
function replicaIdOf(env: Env): string {
  const given = text(env, 'HUB_REPLICA_ID');
  // The same default as the log lines' replica field (hub/logger.ts).
  if (given === undefined) return `${hostname()}-${String(process.pid)}`.slice(0, 64);
  if (!/^[A-Za-z0-9.:_-]{1,64}$/.test(given)) {
    throw new ConfigError(
      'HUB_REPLICA_ID',
      'must be 1–64 letters, digits, ".", ":", "_" or "-" / 英数字と . : _ - で 64 文字以内にしてください',
    );
  }
  return given;
}

/** `HUB_CORS_ORIGINS`: exact origins (scheme://host[:port]); `*` is refused (sign-ins cross it). */
function corsOrigins(env: Env): string[] {
  const raw = text(env, 'HUB_CORS_ORIGINS');
  if (raw === undefined) return [];
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (!isOrigin(origin)) {
      throw new ConfigError(
        'HUB_CORS_ORIGINS',
        `must list exact origins like https://ops.city.example (no "*", path or trailing slash), got "${origin}" / オリジンを正確に指定してください`,
      );
    }
  }
  return origins;
}

/** The name of the variable holding `system`'s base URL. */
export function systemUrlVariable(system: string): string {
  return `HUB_${system}_URL`;
}

/** `HUB_<SYSTEM>_URL` for every known system that has one; each must be an http(s) URL. */
function systemUrls(env: Env): Partial<Record<SimSystem, string>> {
  const urls: Partial<Record<SimSystem, string>> = {};
  for (const { system, urlVariable: name } of systemDescriptors) {
    const value = text(env, name);
    if (value === undefined) continue;
    const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new ConfigError(name, `must be an http:// or https:// URL, got "${redactUrl(value)}"`);
    }
    urls[system] = value.replace(/\/+$/, '');
  }
  return urls;
}

/** The AMQP URL with its password replaced, safe to print. */
export function redactUrl(raw: string): string {
  // HUB_AMQP_URL may list several cluster nodes.
  if (raw.includes(',') && /^amqps?:/.test(raw)) return raw.split(',').map(redactUrl).join(',');
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}
