/**
 * The shipped flows are readable (issue 24, item 4): on every tab in flows/*.json — whichever tabs
 * are present, so tabs merged later are covered — no two node boxes overlap, no output port is under
 * another node, wires run left to right and a straight wire passes behind no node, each node's label
 * shows a Japanese name and its message type or system, and the tab's info names the seed's steps.
 *
 * The boxes come from this file's own estimate of Node-RED's node size (30 px high or 15 px per
 * output, at least 100 px wide, the label's width plus 50 px for icon and padding plus 7 for an
 * input port, rounded up to 20 px; label widths by character class), not from the layout code
 * (hub/nodered/layout.ts) that placed them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { schemaRegistry } from '../../schemas/registry.js';
import { transformers } from '../../transformers/index.js';
import { layoutAll, layoutCatalogue } from './layout.js';
import type { FlowNode } from './flow-model.js';

const dir = join(import.meta.dirname, '../../flows');
const files = readdirSync(dir)
  .filter((name) => /^\d\d-.*\.json$/.test(name))
  .sort();
const all: FlowNode[] = files.flatMap(
  (name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as FlowNode[],
);
const systems = new Map(all.filter((n) => n.type === 'hub-system').map((n) => [n.id, n]));
const tabs = all.filter((n) => n.type === 'tab');
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;

/** The label as the palette (hub/nodered/nodes) writes it, restated here. */
function label(node: FlowNode): string {
  const name = text(node['name']);
  const system = systems.get(text(node['system']));
  const systemText = system ? `${text(system['name'])} · ${text(system['system'])}` : '';
  switch (node.type) {
    case 'hub-in':
      return `${name} · ${text(node['messageTypes'])}`;
    case 'hub-publish':
      return `${name} · ${text(node['messageType'])}`;
    case 'hub-deliver':
    case 'hub-bulk':
      return `${name} → ${systemText}`;
    case 'hub-route':
      return name || `${text(node['field'])} ${text(node['op'])} ${text(node['value'])}`;
    default:
      return name || text(node['transformer']) || node.type;
  }
}

/** Width of a label in Node-RED's 14 px Helvetica, by character class (rounded generously). */
function labelWidth(value: string): number {
  let width = 0;
  for (const char of value) {
    if (/[\u2e80-\uffff]/.test(char)) width += 14;
    else if (/[A-Z]/.test(char)) width += 9.5;
    else if (/[0-9]/.test(char)) width += 8;
    else width += 7.5;
  }
  return width;
}

interface Box {
  readonly node: FlowNode;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function box(node: FlowNode): Box {
  const inputs = node.type === 'hub-in' || node.type === 'comment' ? 0 : 1;
  const outputs =
    node.type === 'hub-route' ? 2 : ['hub-in', 'hub-transform'].includes(node.type) ? 1 : 0;
  const w = Math.max(100, 20 * Math.ceil((labelWidth(label(node)) + 50 + (inputs ? 7 : 0)) / 20));
  const h = Math.max(30, outputs * 15);
  const x = Number(node['x']);
  const y = Number(node['y']);
  return { node, left: x - w / 2, right: x + w / 2, top: y - h / 2, bottom: y + h / 2 };
}

const overlaps = (a: Box, b: Box): boolean =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const describe_ = (b: Box): string => `${b.node.type} ${b.node.id} "${label(b.node)}"`;

describe('the shipped flows (flows/*.json) are readable', () => {
  it('has tabs to check', () => {
    expect(tabs.length).to.be.greaterThan(0);
  });

  for (const tab of tabs) {
    describe(`tab ${text(tab['label'])}`, () => {
      const nodes = all.filter((n) => n.z === tab.id);
      const boxes = nodes.map(box);
      const byId = new Map(boxes.map((b) => [b.node.id, b]));

      it('has no overlapping node boxes', () => {
        const clashes: string[] = [];
        for (const [i, a] of boxes.entries()) {
          for (const b of boxes.slice(i + 1)) {
            if (overlaps(a, b)) clashes.push(`${describe_(a)} × ${describe_(b)}`);
          }
        }
        expect(clashes).to.deep.equal([]);
      });

      it('leaves every output port clear and runs wires left to right, behind no node', () => {
        const problems: string[] = [];
        for (const source of boxes) {
          const wires = (Array.isArray(source.node.wires) ? source.node.wires : []) as unknown[][];
          for (const [port, targets] of wires.entries()) {
            const portY =
              wires.length > 1
                ? source.top + ((source.bottom - source.top) / (wires.length + 1)) * (port + 1)
                : (source.top + source.bottom) / 2;
            const portBox = {
              node: source.node,
              left: source.right - 5,
              right: source.right + 5,
              top: portY - 5,
              bottom: portY + 5,
            };
            for (const other of boxes) {
              if (other !== source && overlaps(portBox, other)) {
                problems.push(`port ${port} of ${describe_(source)} under ${describe_(other)}`);
              }
            }
            for (const id of targets) {
              const target = byId.get(String(id));
              if (target === undefined) continue;
              if (target.left <= source.right) {
                problems.push(`${describe_(source)} → ${describe_(target)} runs right to left`);
              }
              if (Number(target.node['y']) === Number(source.node['y'])) {
                // A straight wire: nothing may sit on it.
                const y = Number(source.node['y']);
                for (const other of boxes) {
                  if (other === source || other === target) continue;
                  if (
                    other.left < target.left &&
                    other.right > source.right &&
                    other.top < y &&
                    other.bottom > y
                  ) {
                    problems.push(
                      `${describe_(other)} hides ${describe_(source)} → ${describe_(target)}`,
                    );
                  }
                }
              }
            }
          }
        }
        expect(problems).to.deep.equal([]);
      });

      it('labels each node with a Japanese name and its message type or system', () => {
        const problems: string[] = [];
        for (const node of nodes) {
          const shown = label(node);
          const needs: string[] = [];
          if (node.type === 'hub-in') needs.push(text(node['messageTypes']));
          if (node.type === 'hub-publish') needs.push(text(node['messageType']));
          if (node.type === 'hub-deliver' || node.type === 'hub-bulk') {
            needs.push(text(systems.get(text(node['system']))?.['system']) || '(a system)');
          }
          if (node.type === 'hub-transform')
            needs.push(transformers.get(text(node['transformer']))?.to ?? '(a type)');
          if (node.type === 'hub-route') continue;
          if (!japanese.test(shown) || needs.some((part) => !shown.includes(part))) {
            problems.push(`${node.type} ${node.id}: "${shown}"`);
          }
        }
        expect(problems).to.deep.equal([]);
      });

      it("names in its info the seed's steps it implements (e.g. 1-②)", () => {
        expect(text(tab['info'])).to.match(/\d{1,2}-[①-⑳]/);
      });
    });
  }

  it('are as `npm run flows:layout` leaves them (run it after merging a tab)', () => {
    const copy = structuredClone(all);
    layoutAll(copy, layoutCatalogue(schemaRegistry(), transformers));
    const moved = copy
      .filter((node, i) => JSON.stringify(node) !== JSON.stringify(all[i]))
      .map((node) => `${node.type} ${node.id}`);
    expect(moved).to.deep.equal([]);
  });
});
