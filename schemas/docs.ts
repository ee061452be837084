/**
 * Generates docs/messages.md from the schemas (`npm run docs:messages`): per message type its Japanese
 * title, from → to, affair, whether it carries 個人番号, and every field with its Japanese name; then the
 * shared definitions. A test fails when the checked-in file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { readSchemaFiles, schemaDirectory } from './registry.js';

/** Where the generated catalogue lives. */
export const messagesDocFile: string = join(schemaDirectory, '..', 'docs', 'messages.md');

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function defName(ref: string): string {
  return ref.replace(/^defs#\/\$defs\//, '');
}

function limits(node: Node): string {
  const parts: string[] = [];
  if (typeof node['maxCodePoints'] === 'number')
    parts.push(`≤ ${String(node['maxCodePoints'])} 文字`);
  if (typeof node['minimum'] === 'number') parts.push(`≥ ${String(node['minimum'])}`);
  if (typeof node['maximum'] === 'number') parts.push(`≤ ${String(node['maximum'])}`);
  if (typeof node['minItems'] === 'number') parts.push(`≥ ${String(node['minItems'])} 件`);
  if (typeof node['maxItems'] === 'number') parts.push(`≤ ${String(node['maxItems'])} 件`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** A short description of a property's type, linking shared definitions. */
function typeOf(node: Node): string {
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const name = defName(ref);
    return `[${name}](#def-${name.toLowerCase()})${limits(node)}`;
  }
  if (Array.isArray(node['enum']))
    return node['enum'].map((value) => `\`${str(value)}\``).join(' / ');
  if (node['const'] !== undefined) return `\`${JSON.stringify(node['const'])}\``;
  const type = str(node['type']);
  if (type === 'array' && isNode(node['items'])) return `${typeOf(node['items'])}[]${limits(node)}`;
  if (type === 'string') {
    if (typeof node['format'] === 'string') return `string (${node['format']})`;
    if (typeof node['pattern'] === 'string') return `string \`${node['pattern']}\``;
  }
  return `${type === '' ? 'any' : type}${limits(node)}`;
}

/** Table rows for an object schema's properties; inline objects are expanded as `parent.child`. */
function fieldRows(schema: Node, prefix = ''): string[] {
  const properties = isNode(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  const rows: string[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (!isNode(value)) continue;
    const path = `${prefix}${key}`;
    const description = str(value['description']);
    rows.push(
      `| \`${path}\` | ${cell(str(value['x-ja']))} | ${cell(typeOf(value))} | ${required.includes(key) ? '✓' : ''} | ${cell(description)} |`,
    );
    if (value['type'] === 'object' && isNode(value['properties']))
      rows.push(...fieldRows(value, `${path}.`));
  }
  return rows;
}

const tableHead = [
  '| Field | 項目名 | Type | Required | Notes |',
  '| ----- | ------ | ---- | -------- | ----- |',
];

/** The full text of docs/messages.md (deterministic). */
export async function generateMessagesDoc(): Promise<string> {
  const files = readSchemaFiles();
  const lines: string[] = [
    '# Message catalogue / 電文カタログ',
    '',
    'Generated from `schemas/*.json` by `npm run docs:messages` (`schemas/docs.ts`). Do not edit: change the',
    'schema and regenerate; a test fails when this file is stale. Each schema describes the AMQP message',
    '**body**; envelope metadata travels as AMQP properties and `x-hub-*` headers (see',
    '`docs/architecture.md`, section "Message catalogue").',
    '',
    '| Message type | 名称 | 事務 | From → To | 個人番号 |',
    '| ------------ | ---- | ---- | --------- | -------- |',
  ];
  for (const [messageType, schema] of files.messages) {
    const to = Array.isArray(schema['x-to']) ? schema['x-to'].map(str).join(', ') : '';
    lines.push(
      `| [\`${messageType}\`](#${messageType.replaceAll('.', '-')}) | ${str(schema['title'])} | ${String(schema['x-affair'])} | ${str(schema['x-from'])} → ${to} | ${schema['x-carries-my-number'] === true ? '**あり / yes**' : 'なし / no'} |`,
    );
  }
  for (const [messageType, schema] of files.messages) {
    const to = Array.isArray(schema['x-to']) ? schema['x-to'].map(str).join(', ') : '';
    lines.push(
      '',
      `<a id="${messageType.replaceAll('.', '-')}"></a>`,
      '',
      `## \`${messageType}\` — ${str(schema['title'])}`,
      '',
      `${str(schema['x-title-en'])}.`,
      '',
      `- From → To: ${str(schema['x-from'])} → ${to}`,
      `- 事務 / affair: ${String(schema['x-affair'])}`,
      `- 個人番号 / carries My Number: ${schema['x-carries-my-number'] === true ? '**あり / yes**' : 'なし / no'}`,
    );
    const description = str(schema['description']);
    if (description !== '') lines.push('', description);
    lines.push('', ...tableHead, ...fieldRows(schema));
  }
  lines.push('', '## Shared definitions / 共通定義 (`schemas/defs.json`)');
  const defs = isNode(files.defs['$defs']) ? files.defs['$defs'] : {};
  for (const [name, def] of Object.entries(defs)) {
    if (!isNode(def)) continue;
    lines.push(
      '',
      `<a id="def-${name.toLowerCase()}"></a>`,
      '',
      `### ${name} — ${str(def['x-ja'])}`,
      '',
    );
    const description = str(def['description']);
    if (description !== '') lines.push(description, '');
    if (def['type'] === 'object' && isNode(def['properties']))
      lines.push(...tableHead, ...fieldRows(def));
    else lines.push(`Type: ${typeOf(def)}`);
  }
  const options = (await resolveConfig(messagesDocFile)) ?? {};
  return format(`${lines.join('\n')}\n`, { ...options, parser: 'markdown' });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(messagesDocFile, await generateMessagesDoc());
  process.stdout.write(`wrote ${messagesDocFile}\n`);
}
