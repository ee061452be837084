/**
 * Loads the checked-in schema fixtures (schemas/fixtures/<messageType>/{valid,invalid}-*.json) for
 * table-driven tests: each comes with the rule it breaks (or warns about) as keyword + JSON pointer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaDirectory } from './registry.js';

/** A rule reference `<keyword> at <path>` split into its parts. */
export interface RuleRef {
  readonly keyword: string;
  readonly path: string;
}

/** One fixture: a message body plus what the schema must say about it. */
export interface Fixture {
  readonly messageType: string;
  /** File name without `.json`. */
  readonly name: string;
  readonly valid: boolean;
  readonly description: string;
  /** The rule an invalid fixture breaks. */
  readonly breaks?: RuleRef;
  /** The rule a valid fixture is warned about (住民票コード check digit in warn mode). */
  readonly warns?: RuleRef;
  readonly data: unknown;
}

/** The folder holding one sub-folder of fixtures per message type. */
export const fixtureRoot: string = join(schemaDirectory, 'fixtures');

/** Parses `<keyword> at <path>`. */
export function parseRuleRef(text: string): RuleRef {
  const match = /^(.+) at (\/.*)$/.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new Error(`rule reference "${text}" is not "<keyword> at <path>"`);
  }
  return { keyword: match[1], path: match[2] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every fixture of one message type (or of all types), sorted by type and name. */
export function loadFixtures(messageType?: string): Fixture[] {
  const types =
    messageType === undefined
      ? readdirSync(fixtureRoot, { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name)
          .sort()
      : [messageType];
  const fixtures: Fixture[] = [];
  for (const type of types) {
    const folder = join(fixtureRoot, type);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .sort()) {
      const name = file.slice(0, -'.json'.length);
      const wrapper: unknown = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      if (!isRecord(wrapper) || !('data' in wrapper)) throw new Error(`${type}/${file}: no data`);
      const valid = name.startsWith('valid-');
      if (!valid && !name.startsWith('invalid-')) throw new Error(`${type}/${file}: bad name`);
      const breaks =
        typeof wrapper['breaks'] === 'string' ? parseRuleRef(wrapper['breaks']) : undefined;
      const warns =
        typeof wrapper['warns'] === 'string' ? parseRuleRef(wrapper['warns']) : undefined;
      if (!valid && breaks === undefined)
        throw new Error(`${type}/${file}: invalid without "breaks"`);
      fixtures.push({
        messageType: type,
        name,
        valid,
        description: typeof wrapper['description'] === 'string' ? wrapper['description'] : '',
        ...(breaks === undefined ? {} : { breaks }),
        ...(warns === undefined ? {} : { warns }),
        data: wrapper['data'],
      });
    }
  }
  return fixtures;
}
