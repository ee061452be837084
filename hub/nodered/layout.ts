/**
 * The shipped flows' layout (`npm run flows:layout`): every tab laid out left to right, from the
 * step that takes a message from its source system (hub-in) to the node that hands it to its
 * target system (hub-deliver, hub-publish, hub-bulk, hub-request), one row per chain, so that no two
 * node boxes overlap, a wire runs along its own row instead of behind other nodes, and every output
 * port has room. It also gives nodes without a Japanese name one from the catalogue (message types'
 * titles, systems' descriptors), which the palette's labels show next to the message type or system.
 *
 * Deterministic and idempotent: the order of the chains is the order of their hub-in nodes on the
 * tab (y, then x, then id), so running it again changes nothing, and a tab merged in later is laid
 * out the same way. Node sizes follow Node-RED's rule (30 px high, at least 100 px wide, the label's
 * width plus icon and ports rounded up to 20 px) with a generous per-character estimate of the width.
 */
import { descriptorOf, simSystems, type SimSystem } from '../../connectors/runtime/systems.js';
import { SUPPORT_MEASURE_AUDIT } from '../support-measures/audit.js';
import type { SchemaRegistry } from '../../schemas/registry.js';
import type { FlowNode as ReadNode } from './flow-model.js';

/** A flow node the layout may move and name (the files' nodes, parsed). */
export type FlowNode = ReadNode & { x?: number; y?: number; name?: string };

/** What the layout needs to know about message types and transformers. */
export interface LayoutCatalogue {
  /** The Japanese title of a message type, if the catalogue has it. */
  titleOf(messageType: string): string | undefined;
  /** The message type a transformer produces, if it is registered. */
  outputOf(transformer: string): string | undefined;
}

/** The catalogue view of the running code base's schemas and transformers. */
export function layoutCatalogue(
  catalogue: Pick<SchemaRegistry, 'list'>,
  transformers: ReadonlyMap<string, { readonly to: string }>,
): LayoutCatalogue {
  const titles = new Map(catalogue.list().map((info) => [info.messageType, info.title.ja]));
  return {
    titleOf: (type) => titles.get(type),
    outputOf: (name) => transformers.get(name)?.to,
  };
}

const flowTypes = new Set([
  'hub-in',
  'hub-transform',
  'hub-route',
  'hub-publish',
  'hub-deliver',
  'hub-request',
  'hub-bulk',
]);
/** Nodes that hand a message to its target: they sit in the tab's last column. */
const targetTypes = new Set(['hub-publish', 'hub-deliver', 'hub-request', 'hub-bulk']);

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const hasJapanese = (text: string): boolean =>
  /[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]/.test(text);

/** Systems inside the hub (no connector descriptor), by their Japanese names. */
const hubSystems: Readonly<Record<string, string>> = {
  [SUPPORT_MEASURE_AUDIT]: '支援措置の監査記録（ハブ内）',
};

/** The Japanese name of a system (its descriptor's), or undefined for an unknown one. */
export function systemNameJa(system: string): string | undefined {
  return (simSystems as readonly string[]).includes(system)
    ? descriptorOf(system as SimSystem).name.ja
    : hubSystems[system];
}

/**
 * The Japanese name the layout gives a node without one (undefined: leave the node's name alone).
 * A name already containing Japanese is kept; an English one (a step name) is replaced, since the
 * step keeps its own `step` property.
 */
export function japaneseName(node: FlowNode, catalogue: LayoutCatalogue): string | undefined {
  const current = str(node.name);
  if (hasJapanese(current)) return undefined;
  switch (node.type) {
    case 'hub-system':
      return systemNameJa(str(node['system']));
    case 'hub-in': {
      const types = str(node['messageTypes'])
        .split(',')
        .map((type) => type.trim())
        .filter(Boolean);
      const title = types[0] === undefined ? undefined : catalogue.titleOf(types[0]);
      return title === undefined ? undefined : `${title}${types.length > 1 ? ' ほか' : ''}`;
    }
    case 'hub-publish': {
      const title = catalogue.titleOf(str(node['messageType']));
      return title === undefined ? undefined : `${title}を発行`;
    }
    case 'hub-transform': {
      const to = catalogue.outputOf(str(node['transformer']));
      const title = to === undefined ? undefined : catalogue.titleOf(to);
      return to === undefined || title === undefined ? undefined : `${title}へ変換 · ${to}`;
    }
    default:
      return undefined;
  }
}

/**
 * The label the palette shows (hub/nodered/nodes/hub-system/hub-system.html; keep the two in step): the Japanese
 * name and the message type or system.
 */
export function labelOf(node: FlowNode, systems: ReadonlyMap<string, FlowNode>): string {
  const name = str(node.name);
  const joined = (rest: string): string => (name ? `${name} · ${rest}` : rest);
  switch (node.type) {
    case 'hub-in':
      return joined(str(node['messageTypes']) || 'hub in');
    case 'hub-publish':
      return joined(str(node['messageType']) || 'hub publish');
    case 'hub-transform':
      return name || str(node['transformer']) || 'hub transform';
    case 'hub-deliver':
    case 'hub-bulk': {
      const system = systems.get(str(node['system']));
      const arrow = node.type === 'hub-bulk' ? '⇉ ' : '→ ';
      const target = system ? systemLabel(system) : node.type;
      return name ? `${name} ${arrow}${target}` : `${arrow}${target}`;
    }
    case 'hub-system':
      return systemLabel(node);
    case 'hub-request':
      return name || `応答 ≤ ${str(node['deadlineMs'])} ms`;
    case 'hub-route': {
      const ops: Record<string, string> = {
        eq: '=',
        neq: '≠',
        exists: 'exists',
        in: 'in',
        prefix: 'starts',
        lt: '<',
        lte: '≤',
        gt: '>',
        gte: '≥',
        before: 'before',
        after: 'after',
      };
      const op = str(node['op']) || 'eq';
      return (
        name ||
        `${str(node['field'])} ${ops[op] ?? op}${op === 'exists' ? '' : ` ${str(node['value'])}`}`
      );
    }
    default:
      return name || node.type;
  }
}

/** How a system reads on the canvas: its Japanese name and its id. */
function systemLabel(system: FlowNode): string {
  const id = str(system['system']);
  const name = str(system.name);
  return name && name !== id ? `${name} · ${id}` : id || 'hub-system';
}

/** A generous estimate of a label's width in Node-RED's 14 px sans-serif. */
export function estimateLabelWidth(label: string): number {
  let width = 0;
  for (const char of label) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0x2e7f) width += 14.5;
    else if (/[A-Z@#%&mwMW]/.test(char)) width += 10;
    else width += 8;
  }
  return Math.ceil(width);
}

const inputsOf = (node: FlowNode): number =>
  node.type === 'hub-in' || node.type === 'comment' ? 0 : 1;
const outputsOf = (node: FlowNode): number =>
  node.type === 'hub-route' ? 2 : node.type === 'hub-in' || node.type === 'hub-transform' ? 1 : 0;

/** A node's box size by Node-RED's rule, from the estimated label width. */
export function nodeSize(node: FlowNode, label: string): { w: number; h: number } {
  const width = estimateLabelWidth(label) + 50 + (inputsOf(node) > 0 ? 7 : 0);
  return { w: Math.max(100, 20 * Math.ceil(width / 20)), h: Math.max(30, outputsOf(node) * 15) };
}

const left = 40;
const top = 40;
const columnGap = 80;
const rowGap = 30;

const byPosition = (a: FlowNode, b: FlowNode): number =>
  (a.y ?? 0) - (b.y ?? 0) || (a.x ?? 0) - (b.x ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Lays out one tab's nodes (mutates x and y). */
function layoutTab(nodes: FlowNode[], systems: ReadonlyMap<string, FlowNode>): void {
  const flow = nodes.filter((node) => flowTypes.has(node.type));
  const others = nodes.filter((node) => !flowTypes.has(node.type)).sort(byPosition);
  const byId = new Map(flow.map((node) => [node.id, node]));
  const next = (node: FlowNode): FlowNode[] =>
    (Array.isArray(node.wires) ? (node.wires as unknown[][]) : [])
      .flat()
      .map((id) => byId.get(String(id)))
      .filter((n): n is FlowNode => n !== undefined);
  const fed = new Set(flow.flatMap((node) => next(node).map((n) => n.id)));
  // Column: the longest path from a source; targets all in the last column.
  const depth = new Map<string, number>();
  const visit = (node: FlowNode, d: number, path: Set<string>): void => {
    if (path.has(node.id) || (depth.get(node.id) ?? -1) >= d) return;
    depth.set(node.id, d);
    path.add(node.id);
    for (const child of next(node)) visit(child, d + 1, path);
    path.delete(node.id);
  };
  const sources = flow.filter((node) => !fed.has(node.id)).sort(byPosition);
  for (const source of sources) visit(source, 0, new Set());
  for (const node of flow) if (!depth.has(node.id)) visit(node, 0, new Set());
  const last = Math.max(0, ...depth.values());
  const column = (node: FlowNode): number =>
    targetTypes.has(node.type) ? last : (depth.get(node.id) ?? 0);

  const size = new Map(flow.map((node) => [node.id, nodeSize(node, labelOf(node, systems))]));
  const widths: number[] = Array.from({ length: last + 1 }, () => 0);
  for (const node of flow) {
    const c = column(node);
    widths[c] = Math.max(widths[c] ?? 0, size.get(node.id)?.w ?? 100);
  }
  const centres: number[] = [];
  let x = left;
  for (const w of widths) {
    centres.push(x + w / 2);
    x += w + columnGap;
  }

  // One row per chain and per comment, in the order they had on the tab, so a comment stays just
  // above the chain it describes.
  let y = top;
  const placeComment = (comment: FlowNode): void => {
    const { w, h } = nodeSize(comment, labelOf(comment, systems));
    comment.x = left + w / 2;
    comment.y = y + h / 2;
    y += h + rowGap;
  };
  const placed = new Set<string>();
  const place = (node: FlowNode): void => {
    if (placed.has(node.id)) return;
    placed.add(node.id);
    const rowTop = y;
    const children = next(node).filter((child) => !placed.has(child.id));
    const height = size.get(node.id)?.h ?? 30;
    if (children.length === 0) y += height + rowGap;
    for (const child of children) place(child);
    node.x = centres[column(node)] ?? left;
    // A node with children sits on its first child's row, so that wire is straight.
    const first = children[0];
    node.y = first === undefined ? rowTop + height / 2 : Number(first.y);
  };
  for (const item of [...others, ...sources].sort(byPosition)) {
    if (flowTypes.has(item.type)) place(item);
    else placeComment(item);
  }
  for (const node of [...flow].sort(byPosition)) place(node);
}

/**
 * Lays out every tab of a set of flows and names unnamed nodes in Japanese; returns the flows
 * changed in place (for chaining).
 */
export function layoutAll(flows: FlowNode[], catalogue: LayoutCatalogue): FlowNode[] {
  for (const node of flows) {
    const name = japaneseName(node, catalogue);
    if (name !== undefined) node.name = name;
    // One wire list per output port, as the editor writes it (a route has two: matches,
    // otherwise); otherwise the first deploy from the editor rewrites a file nobody changed.
    const ports = outputsOf(node);
    const wires: readonly (readonly string[])[] = node.wires ?? [];
    if (flowTypes.has(node.type) && node.wires !== undefined && wires.length < ports) {
      const padded: (readonly string[])[] = [...wires];
      while (padded.length < ports) padded.push([]);
      Object.assign(node, { wires: padded });
    }
  }
  const systems = new Map(
    flows.filter((node) => node.type === 'hub-system').map((node) => [node.id, node]),
  );
  const tabs = flows.filter((node) => node.type === 'tab');
  for (const tab of tabs) {
    layoutTab(
      flows.filter((node) => node.z === tab.id),
      systems,
    );
  }
  return flows;
}
