/**
 * Generates schemas/types.gen.ts from the JSON Schemas (`npm run schemas:types`). All message schemas and
 * the shared definitions go into one synthetic root schema, so every shared `$defs` type is emitted once
 * and `MessageTypes` maps each message type to its interface. Validation-only keywords (if/then/else,
 * custom keywords) are dropped; `x-ja` becomes the doc comment.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import type { JSONSchema } from 'json-schema-to-typescript';
import { readSchemaFiles, schemaDirectory } from './registry.js';

/** Where the generated types live. */
export const typesFile: string = join(schemaDirectory, 'types.gen.ts');

const banner = `/* eslint-disable */
/**
 * Generated from schemas/*.json by \`npm run schemas:types\` (schemas/generate.ts). Do not edit:
 * change the schema and regenerate. A test fails when this file is stale.
 */`;

/** The interface name for a message type: resident.movement.recorded → ResidentMovementRecorded. */
export function interfaceName(messageType: string): string {
  return messageType
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

const validationOnly = new Set([
  'if',
  'then',
  'else',
  'allOf',
  'myNumberCheckDigit',
  'fugoCheckChar',
  'lgCodeCheckDigit',
  'juminhyoCodeCheckDigit',
  'mjText',
  'maxCodePoints',
  'minCodePoints',
  'x-carries-my-number',
  'x-from',
  'x-to',
  'x-affair',
  'x-title-en',
  '$schema',
  '$id',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function docOf(node: Record<string, unknown>): string | undefined {
  const ja = typeof node['x-ja'] === 'string' ? node['x-ja'] : undefined;
  const description = typeof node['description'] === 'string' ? node['description'] : undefined;
  if (ja !== undefined && description !== undefined) return `${ja}: ${description}`;
  return ja ?? description;
}

/** Rewrites one schema node for json-schema-to-typescript (local refs, docs, no validation-only keywords). */
function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (!isRecord(node)) return node;
  const doc = docOf(node);
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const local = ref.replace(/^defs#/, '#');
    return doc === undefined ? { $ref: local } : { allOf: [{ $ref: local }], description: doc };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (validationOnly.has(key) || key === 'x-ja' || key === 'description') continue;
    if (key === 'title') continue;
    out[key] = key === 'properties' || key === '$defs' ? rewriteMap(value) : rewrite(value);
  }
  if (doc !== undefined) out['description'] = doc;
  return out;
}

function rewriteMap(value: unknown): unknown {
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewrite(item)]));
}

/** The synthetic root schema whose type is the MessageTypes map. */
export function typesRootSchema(): JSONSchema {
  const files = readSchemaFiles();
  const defs = rewriteMap(files.defs['$defs']);
  const $defs: Record<string, unknown> = isRecord(defs) ? { ...defs } : {};
  const properties: Record<string, unknown> = {};
  for (const [messageType, schema] of files.messages) {
    const name = interfaceName(messageType);
    const body = rewrite(schema);
    $defs[name] = isRecord(body)
      ? { ...body, title: name, description: `${String(schema['title'])} (${messageType})` }
      : body;
    properties[messageType] = { $ref: `#/$defs/${name}` };
  }
  return {
    title: 'MessageTypes',
    description: 'Maps each message type to the interface of its body.',
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
    $defs,
  } as JSONSchema;
}

/** Generates the full text of types.gen.ts (deterministic: same schemas, same text). */
export async function generateTypes(): Promise<string> {
  const body = await compile(typesRootSchema(), 'MessageTypes', {
    bannerComment: banner,
    unreachableDefinitions: true,
    additionalProperties: false,
    ignoreMinAndMaxItems: true,
    strictIndexSignatures: true,
    declareExternallyReferenced: true,
    format: true,
    style: { singleQuote: true, printWidth: 100 },
  });
  return `${body}
/** A message type of the catalogue. */
export type MessageType = keyof MessageTypes;
`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(typesFile, await generateTypes());
  process.stdout.write(`wrote ${typesFile}\n`);
}
