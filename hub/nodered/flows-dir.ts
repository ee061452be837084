/**
 * The flows directory: one pretty-printed JSON file per affair tab (`NN-<affair>.json`) and one for
 * the nodes on no tab (`00-systems.json`). Keys are written in a fixed order so that a deploy that
 * changes one wire changes a few lines of one file, and `git diff flows/` reads as a change of routing.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileOfTab, systemsFile, type FlowNode } from './flow-model.js';

const leadingKeys = ['id', 'type', 'z', 'name', 'label'];
const trailingKeys = ['x', 'y', 'wires'];

function ordered(node: FlowNode): Record<string, unknown> {
  const keys = Object.keys(node);
  const middle = keys
    .filter((key) => !leadingKeys.includes(key) && !trailingKeys.includes(key))
    .sort();
  const out: Record<string, unknown> = {};
  for (const key of [...leadingKeys, ...middle, ...trailingKeys]) {
    if (key in node) out[key] = node[key];
  }
  return out;
}

/** The file layout of a set of flows: file name → its nodes (tab first, then by id). */
export function layoutFlows(flows: readonly FlowNode[]): Map<string, FlowNode[]> {
  const files = new Map<string, FlowNode[]>();
  const tabFile = new Map<string, string>();
  for (const node of flows) {
    if (node.type === 'tab') tabFile.set(node.id, fileOfTab(node));
  }
  for (const node of flows) {
    const file =
      node.type === 'tab'
        ? tabFile.get(node.id)
        : node.z === undefined || node.z === ''
          ? systemsFile
          : (tabFile.get(node.z) ?? systemsFile);
    const key = file ?? systemsFile;
    const list = files.get(key) ?? [];
    list.push(node);
    files.set(key, list);
  }
  for (const list of files.values()) {
    list.sort((a, b) =>
      a.type === 'tab' ? -1 : b.type === 'tab' ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
  }
  return files;
}

/** The text a file gets: stable key order, two-space indent, final newline. */
export function renderFlowFile(nodes: readonly FlowNode[]): string {
  return `${JSON.stringify(nodes.map(ordered), null, 2)}\n`;
}

function isFlowFile(name: string): boolean {
  return /^\d\d-[a-z0-9-]+\.json$/.test(name);
}

/** Reads every flow file of `dir` in name order; a missing directory is no flows. */
export function readFlowsDir(dir: string): FlowNode[] {
  if (!existsSync(dir)) return [];
  const nodes: FlowNode[] = [];
  for (const name of readdirSync(dir).filter(isFlowFile).sort()) {
    const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new Error(`${name}: not a JSON array of flow nodes`);
    nodes.push(...(parsed as FlowNode[]));
  }
  return nodes;
}

/** What a write changed, per file: node ids added, removed and changed. */
export interface FileChange {
  readonly file: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

function indexById(nodes: readonly FlowNode[]): Map<string, string> {
  return new Map(nodes.map((node) => [node.id, JSON.stringify(ordered(node))]));
}

/** Compares two sets of flows file by file (what a deploy changed). */
export function diffFlows(before: readonly FlowNode[], after: readonly FlowNode[]): FileChange[] {
  const old = layoutFlows(before);
  const next = layoutFlows(after);
  const changes: FileChange[] = [];
  for (const file of [...new Set([...old.keys(), ...next.keys()])].sort()) {
    const a = indexById(old.get(file) ?? []);
    const b = indexById(next.get(file) ?? []);
    const added = [...b.keys()].filter((id) => !a.has(id));
    const removed = [...a.keys()].filter((id) => !b.has(id));
    const changed = [...b.keys()].filter((id) => a.has(id) && a.get(id) !== b.get(id));
    if (added.length + removed.length + changed.length > 0) {
      changes.push({ file, added, removed, changed });
    }
  }
  return changes;
}

/**
 * Writes `flows` into `dir`: each file only when its text changes (atomically, by rename), and flow
 * files of tabs that no longer exist are removed.
 */
export function writeFlowsDir(dir: string, flows: readonly FlowNode[]): void {
  mkdirSync(dir, { recursive: true });
  const files = layoutFlows(flows);
  for (const [file, nodes] of files) {
    const path = join(dir, file);
    const content = renderFlowFile(nodes);
    if (existsSync(path) && readFileSync(path, 'utf8') === content) continue;
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
  }
  for (const name of readdirSync(dir).filter(isFlowFile)) {
    if (!files.has(name)) rmSync(join(dir, name));
  }
}
