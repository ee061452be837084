import { loadConfig, type HubConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { configureLogger } from '../logger.js';

/** Exit codes of every `hub` command. */
export const exitCodes = {
  /** The command did what was asked. */
  ok: 0,
  /** The command ran and something failed (a check, a message, a dependency). */
  failed: 1,
  /** Wrong configuration (`HUB_*`) or wrong usage (unknown command, missing argument). */
  usage: 2,
  /** The command is part of the contract but not built yet. */
  notBuilt: 3,
} as const;

/** Prints one line of the CLI's own output (its job is to print; logs go through pino). */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Prints one line of the CLI's own error output. */
export function complain(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The one line printed for a configuration error: variable, problem, and the same in Japanese. */
export function configErrorLine(error: ConfigError): string {
  const problem = error.message.startsWith(`${error.variable}: `)
    ? error.message.slice(error.variable.length + 2)
    : error.message;
  return `hub: ${error.variable}: ${problem} / 環境変数 ${error.variable} の値が正しくありません`;
}

/** Loads the configuration; on a wrong value prints one line naming the variable and returns undefined. */
export function configOrComplain(env: NodeJS.ProcessEnv = process.env): HubConfig | undefined {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      complain(configErrorLine(error));
      return undefined;
    }
    throw error;
  }
}

/** A short, payload-free description of an error for a person: its message, or its type. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return typeof error;
}

/**
 * Logging for one-shot commands (doctor, migrate, validate): JSON log lines go to stderr, so stdout
 * holds only the command's report; warnings and worse unless HUB_LOG_LEVEL asks for more.
 */
export function oneShotLogging(config: HubConfig | undefined): void {
  const explicit = process.env['HUB_LOG_LEVEL'] !== undefined && config !== undefined;
  configureLogger({ level: explicit ? config.logLevel : 'warn', destination: process.stderr });
}
