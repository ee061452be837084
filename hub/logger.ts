import { pino, type Logger } from 'pino';
import { maskMyNumbers } from './security/my-number.js';

/**
 * Field names whose values are personal data and never reach a log line, whatever object carries
 * them. Log ids and schema paths instead.
 */
export const personalFields = [
  'payload',
  'body',
  'content',
  'myNumber',
  'currentMyNumber',
  'previousMyNumber',
  'newMyNumber',
  'name',
  'nameKana',
  'address',
  'resident',
  'records',
] as const;

const redactPaths = personalFields.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskMyNumbers(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrub(item, depth + 1);
  return out;
}

function createRoot(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hub' },
      redact: { paths: redactPaths, censor: '[masked]' },
      formatters: {
        // A last line of defence: any My Number that slipped into a logged string is masked.
        log: (object) => scrub(object, 0) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === 'string' ? maskMyNumbers(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination ?? process.stdout,
  );
}

let root: Logger = createRoot(process.env['HUB_LOG_LEVEL'] ?? 'info');

/** The one root logger. Components ask for a child; nobody calls console.* for operational output. */
export function logger(): Logger {
  return root;
}

/** A child logger for one component (`broker`, `engine`, `store`, `http`, …). */
export function loggerFor(component: string): Logger {
  return root.child({ component });
}

/** Replaces the root logger's level or destination (start-up, tests). */
export function configureLogger(options: {
  level?: string;
  destination?: NodeJS.WritableStream;
}): void {
  root = createRoot(options.level ?? root.level, options.destination);
}
