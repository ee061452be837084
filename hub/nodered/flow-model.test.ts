import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowsFor, shippedSteps } from '../../test/support/flows.js';
import { connectorSinks, lintContext } from './context.js';
import { checkFlows, type FlowNode } from './flow-model.js';
import { diffFlows, readFlowsDir, renderFlowFile, writeFlowsDir } from './flows-dir.js';

const context = lintContext();
const checkedIn = readFlowsDir(new URL('../../flows', import.meta.url).pathname);

/** The checked-in flows with one node replaced or added. */
function edited(change: (nodes: FlowNode[]) => FlowNode[]): FlowNode[] {
  return change(checkedIn.map((node) => ({ ...node })));
}

function findNode(nodes: readonly FlowNode[], test: (node: FlowNode) => boolean): FlowNode {
  const found = nodes.find(test);
  if (found === undefined) throw new Error('node not found');
  return found;
}

function reasons(nodes: readonly FlowNode[]): string[] {
  return checkFlows(nodes, context).problems.map((problem) => `${problem.en} / ${problem.ja}`);
}

const affair11 = () =>
  findNode(
    checkedIn,
    (node) => node.type === 'tab' && String(node['label']).startsWith('affair-11'),
  );
const systemId = (system: string) =>
  findNode(checkedIn, (node) => node['system'] === system && node.type === 'hub-system').id;
const inOf = (step: string) => findNode(checkedIn, (node) => node['step'] === step);

/** Adds a deliver node to affair 11 wired from the given hub-in. */
function wireTo(step: string, system: string): FlowNode[] {
  const source = inOf(step);
  return edited((nodes) => [
    ...nodes.map((node) =>
      node.id === source.id
        ? { ...node, wires: [[...(node.wires?.[0] ?? []), 'new-deliver']] }
        : node,
    ),
    {
      id: 'new-deliver',
      type: 'hub-deliver',
      z: affair11().id,
      system: systemId(system),
      wires: [],
    },
  ]);
}

describe('flows: lint and compile', () => {
  it('the checked-in flows compile into the routes of affairs 1, 2, 3, 4, 5, 8, 9, 10 and 11', () => {
    const { steps, problems } = checkFlows(checkedIn, context);
    expect(problems).to.deep.equal([]);
    // Affair 6 is a tab without a step (request/reply at the counter, hub/counter/).
    expect([...new Set(steps.map((step) => step.route))]).to.have.members([
      'affair-1',
      'affair-2',
      'affair-3',
      'affair-4',
      'affair-5',
      'affair-8',
      'affair-9',
      'affair-10',
      'affair-11',
    ]);
  });

  it("the tests' flows helper writes flows that compile back into the very same steps", () => {
    const steps = shippedSteps();
    const { steps: again, problems } = checkFlows(flowsFor(steps, connectorSinks()), context);
    expect(problems).to.deep.equal([]);
    expect(again).to.deep.equal(steps);
  });

  it('the hub-system nodes say what the connectors allow (個人番号 per affair)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-flows-gen-'));
    try {
      writeFlowsDir(dir, flowsFor([], connectorSinks()));
      for (const name of ['00-systems.json']) {
        const repo = readFileSync(new URL(`../../flows/${name}`, import.meta.url), 'utf8');
        expect(readFileSync(join(dir, name), 'utf8'), name).to.equal(repo);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a hub-request terminal compiles into a reply step carrying its deadline', () => {
    const source = inOf(
      findNode(checkedIn, (node) => node.type === 'hub-in' && node.z === affair11().id)[
        'step'
      ] as string,
    );
    const nodes = edited((list) => [
      ...list.map((node) =>
        node.id === source.id
          ? { ...node, wires: [[...(node.wires?.[0] ?? []), 'new-request']] }
          : node,
      ),
      { id: 'new-request', type: 'hub-request', z: affair11().id, deadlineMs: '7000', wires: [] },
    ]);
    const { steps, problems } = checkFlows(nodes, context);
    expect(problems).to.deep.equal([]);
    const reply = steps.find((step) => step.output.kind === 'reply');
    expect(reply?.output).to.deep.equal({ kind: 'reply', deadlineMs: 7000 });
  });

  it('a new wire to one more system compiles into one more step', () => {
    const { steps, problems } = checkFlows(
      wireTo('affair-11.failed-to-center', 'KIZON_JUKI'),
      context,
    );
    expect(problems).to.deep.equal([]);
    const added = steps.find((step) => step.name === 'affair-11.failed-to-center.to-kizon-juki');
    expect(added?.output).to.deep.equal({ kind: 'deliver', system: 'KIZON_JUKI' });
    expect(added?.input).to.deep.equal(['kiosk.certificate.failed']);
  });

  it('refuses a 個人番号-carrying type wired to a system that may not receive it', () => {
    const found = reasons(wireTo('affair-11.produced-to-center', 'KYOTSU_KIBAN'));
    expect(found).to.have.length(1);
    expect(found[0]).to.contain('kiosk.certificate.produced carries 個人番号');
    expect(found[0]).to.contain('KYOTSU_KIBAN may not receive it on affair-11');
  });

  it('a mistyped message type is reported as unknown, not as carrying 個人番号', () => {
    // A step delivering to a system that may not receive 個人番号 (共通基盤).
    const input = inOf('affair-11.failed-to-center');
    const found = reasons(
      wireTo('affair-11.failed-to-center', 'KYOTSU_KIBAN').map((node) =>
        node.id === input.id ? { ...node, messageTypes: 'kiosk.certificate.faild' } : node,
      ),
    );
    expect(found.join('\n')).to.contain('unknown message type kiosk.certificate.faild');
    expect(found.join('\n')).to.not.contain('個人番号');
    expect(found.join('\n')).to.not.contain('My Number');
  });

  it('refuses it too when the hub-system node says yes but the connector itself does not', () => {
    const kyotsuKiban = systemId('KYOTSU_KIBAN');
    const widened = wireTo('affair-11.produced-to-center', 'KYOTSU_KIBAN').map((node) =>
      node.id === kyotsuKiban ? { ...node, myNumber: 'all' } : node,
    );
    const found = reasons(widened);
    expect(found).to.have.length(1);
    expect(found[0]).to.contain('KYOTSU_KIBAN may not receive it on affair-11');
  });

  it('refuses an unknown transformer, message type and system', () => {
    const transformer = findNode(checkedIn, (node) => node.type === 'hub-transform');
    const input = inOf('affair-11.failed-to-center');
    const system = findNode(checkedIn, (node) => node.type === 'hub-system');
    const found = reasons(
      edited((nodes) =>
        nodes.map((node) =>
          node.id === transformer.id
            ? { ...node, transformer: 'no-such-transformer' }
            : node.id === input.id
              ? { ...node, messageTypes: 'no.such.type' }
              : node.id === system.id
                ? { ...node, system: 'NO_SUCH_SYSTEM' }
                : node,
        ),
      ),
    );
    expect(
      found.some((reason) => reason.includes('unknown transformer no-such-transformer')),
    ).to.equal(true);
    expect(found.some((reason) => reason.includes('unknown message type no.such.type'))).to.equal(
      true,
    );
    expect(
      found.some((reason) => reason.includes('no connector for system NO_SUCH_SYSTEM')),
    ).to.equal(true);
  });

  it('refuses dangling wires and nodes', () => {
    const input = inOf('affair-11.failed-to-center');
    const found = reasons(
      edited((nodes) => [
        ...nodes.map((node) => (node.id === input.id ? { ...node, wires: [['gone']] } : node)),
        {
          id: 'lonely',
          type: 'hub-publish',
          z: affair11().id,
          messageType: 'atena.changed',
          wires: [],
        },
      ]),
    );
    expect(
      found.some((reason) => reason.includes('a wire leads to a node that does not exist')),
    ).to.equal(true);
    expect(found.some((reason) => reason.includes('hub-publish lonely: not connected'))).to.equal(
      true,
    );
  });

  it("refuses a transformer whose output does not match the next step's input", () => {
    const tab = affair11().id;
    const found = reasons(
      edited((nodes) => [
        ...nodes,
        {
          id: 'i',
          type: 'hub-in',
          z: tab,
          step: 'affair-11.bad',
          messageTypes: 'kiosk.certificate.requested',
          wires: [['t']],
        },
        {
          id: 't',
          type: 'hub-transform',
          z: tab,
          transformer: 'kiosk-certificate-requested-to-certificate-data-query',
          wires: [['p']],
        },
        {
          id: 'p',
          type: 'hub-publish',
          z: tab,
          messageType: 'kiosk.certificate.failed',
          wires: [],
        },
      ]),
    );
    expect(found).to.have.length(1);
    expect(found[0]).to.contain(
      'publishes kiosk.certificate.failed but receives certificate.data.query',
    );
    const wrongInput = reasons(
      edited((nodes) => [
        ...nodes,
        {
          id: 'i',
          type: 'hub-in',
          z: tab,
          step: 'affair-11.bad',
          messageTypes: 'kiosk.certificate.failed',
          wires: [['t']],
        },
        {
          id: 't',
          type: 'hub-transform',
          z: tab,
          transformer: 'kiosk-certificate-requested-to-certificate-data-query',
          wires: [['p']],
        },
        { id: 'p', type: 'hub-publish', z: tab, messageType: 'certificate.data.query', wires: [] },
      ]),
    );
    expect(wrongInput[0]).to.contain(
      'takes kiosk.certificate.requested but receives kiosk.certificate.failed',
    );
  });

  it('compiles out disabled nodes and disabled groups: what is shown disabled runs nothing', () => {
    const all = checkFlows(checkedIn, context).steps.map((step) => step.name);
    const target = inOf('affair-11.failed-to-center');
    const deliver = findNode(checkedIn, (node) => node.id === target.wires?.[0]?.[0]);
    const without = (nodes: FlowNode[]) => {
      const compiled = checkFlows(nodes, context);
      expect(compiled.problems).to.deep.equal([]);
      return all.filter((name) => !compiled.steps.some((step) => step.name === name));
    };
    // The hub-in disabled: its step is gone, nothing else.
    expect(
      without(
        edited((nodes) =>
          nodes.map((node) => (node.id === target.id ? { ...node, d: true } : node)),
        ),
      ),
    ).to.deep.equal(['affair-11.failed-to-center']);
    // The terminal disabled: the same.
    expect(
      without(
        edited((nodes) =>
          nodes.map((node) => (node.id === deliver.id ? { ...node, d: true } : node)),
        ),
      ),
    ).to.deep.equal(['affair-11.failed-to-center']);
    // In a disabled group.
    expect(
      without(
        edited((nodes) => [
          ...nodes.map((node) => (node.id === deliver.id ? { ...node, g: 'grp' } : node)),
          { id: 'grp', type: 'group', z: affair11().id, d: true, nodes: [deliver.id] },
        ]),
      ),
    ).to.deep.equal(['affair-11.failed-to-center']);
    // A second branch of the same hub-in keeps its name when the first is disabled.
    const branched = wireTo('affair-11.failed-to-center', 'KIZON_JUKI');
    const names = checkFlows(branched, context).steps.map((step) => step.name);
    const extra = names.find((name) => !all.includes(name));
    expect(extra).to.be.a('string');
    const firstOff = checkFlows(
      branched.map((node) => (node.id === deliver.id ? { ...node, d: true } : node)),
      context,
    ).steps.map((step) => step.name);
    expect(firstOff).to.include(extra);
    expect(firstOff).to.not.include('affair-11.failed-to-center');
    // A subflow instance on an affair tab is refused; disabled, it compiles to nothing.
    const instance = (d: boolean) =>
      edited((nodes) => [
        ...nodes,
        { id: 'sf', type: 'subflow', name: 'sf', in: [], out: [] },
        { id: 'inst', type: 'subflow:sf', z: affair11().id, ...(d ? { d: true } : {}), wires: [] },
      ]);
    expect(reasons(instance(false)).join('\n')).to.include('only hub nodes compile into routes');
    expect(without(instance(true))).to.deep.equal([]);
  });

  describe('the node allow-list (nothing that runs code, anywhere in a flow)', () => {
    const refusedTypes = [
      'function',
      'exec',
      'file',
      'file in',
      'tcp in',
      'tcp request',
      'http request',
      'http in',
      'template',
      'change',
      'inject',
      'global-config',
      'unknown',
      'node-red-contrib-anything',
    ];
    const placements = (): { where: string; nodes: (type: string) => FlowNode[] }[] => {
      const tab = affair11().id;
      return [
        {
          where: 'on an affair tab',
          nodes: (type) => [{ id: 'x1', type, z: tab, func: 'return msg;', wires: [] }],
        },
        {
          where: 'on no tab (a global config node)',
          nodes: (type) => [{ id: 'x1', type, func: 'process.exit(1)' }],
        },
        {
          where: 'on a disabled tab',
          nodes: (type) => [
            { id: 'off', type: 'tab', label: 'affair-99 off', disabled: true },
            { id: 'x1', type, z: 'off', wires: [] },
          ],
        },
        {
          where: 'inside a subflow',
          nodes: (type) => [
            { id: 'sf', type: 'subflow', name: 'helper', in: [], out: [] },
            { id: 'x1', type, z: 'sf', wires: [] },
          ],
        },
        {
          where: 'disabled itself',
          nodes: (type) => [{ id: 'x1', type, z: tab, d: true, wires: [] }],
        },
      ];
    };
    for (const type of refusedTypes) {
      it(`refuses a "${type}" node wherever it is`, () => {
        for (const { where, nodes } of placements()) {
          const found = checkFlows(
            edited((all) => [...all, ...nodes(type)]),
            context,
          ).problems.filter((problem) => problem.nodeId === 'x1');
          expect(found.length, `${type} ${where}`).to.be.greaterThan(0);
          expect(found[0]?.en, where).to.include(`of type "${type}" is not allowed in the hub`);
          expect(found[0]?.ja, where).to.include('ハブでは使えません');
        }
      });
    }

    it('accepts comments, groups, links, debug and subflows of allowed nodes', () => {
      const tab = affair11().id;
      const { problems } = checkFlows(
        edited((all) => [
          ...all,
          { id: 'c1', type: 'comment', z: tab, name: '説明', info: 'notes' },
          { id: 'g1', type: 'group', z: tab, nodes: ['c1'] },
          { id: 'l1', type: 'link out', z: tab, links: ['l2'], wires: [] },
          { id: 'l2', type: 'link in', z: tab, links: ['l1'], wires: [] },
          { id: 'd1', type: 'debug', z: tab, targetType: 'msg', complete: 'payload', wires: [] },
          { id: 'sf', type: 'subflow', name: 'notes', in: [], out: [], env: [] },
          { id: 'c2', type: 'comment', z: 'sf', name: 'inside' },
          { id: 'c3', type: 'comment', name: 'on no tab' },
        ]),
        context,
      );
      expect(problems).to.deep.equal([]);
    });

    it('refuses properties Node-RED would evaluate: JSONata, environment variables, ${…}', () => {
      const tab = affair11().id;
      const cases: FlowNode[] = [
        { id: 'e1', type: 'debug', z: tab, targetType: 'jsonata', complete: '$env("X")' },
        { id: 'e2', type: 'comment', z: tab, name: '${HUB_SECRET_KEY}' },
        {
          id: 'e3',
          type: 'tab',
          label: 'affair-98 env',
          env: [{ name: 'K', type: 'env', value: 'HUB_SECRET_KEY' }],
        },
        {
          id: 'e4',
          type: 'group',
          z: tab,
          env: [{ name: 'K', type: 'jsonata', value: '$sum([1..1e9])' }],
        },
        { id: 'e5', type: 'debug', z: tab, statusType: 'jsonata', statusVal: '$env("X")' },
      ];
      for (const node of cases) {
        const found = checkFlows(
          edited((all) => [...all, node]),
          context,
        ).problems.filter((problem) => problem.nodeId === node.id);
        expect(found.length, node.id).to.be.greaterThan(0);
        expect(found[0]?.en, node.id).to.include('would be evaluated by Node-RED');
      }
    });
  });

  it('compiles a content-based route into a step condition, and refuses one after a transformer', () => {
    const tab = affair11().id;
    const routed = (first: string, extra: FlowNode[]) =>
      checkFlows(
        edited((nodes) => [
          ...nodes,
          {
            id: 'i',
            type: 'hub-in',
            z: tab,
            step: 'affair-11.routed',
            messageTypes: 'kiosk.certificate.failed',
            wires: [[first]],
          },
          ...extra,
        ]),
        context,
      );
    const ok = routed('r', [
      {
        id: 'r',
        type: 'hub-route',
        z: tab,
        field: 'errorKind',
        op: 'eq',
        value: 'BLOCKED',
        wires: [['d']],
      },
      { id: 'd', type: 'hub-deliver', z: tab, system: systemId('KIZON_JUKI'), wires: [] },
    ]);
    expect(ok.problems).to.deep.equal([]);
    const step = ok.steps.find((candidate) => candidate.name.startsWith('affair-11.routed'));
    expect(step?.when).to.deep.equal([{ field: '/errorKind', op: 'eq', value: 'BLOCKED' }]);
    const late = routed('t', [
      {
        id: 't',
        type: 'hub-transform',
        z: tab,
        transformer: 'kiosk-certificate-requested-to-certificate-data-query',
        wires: [['r']],
      },
      { id: 'r', type: 'hub-route', z: tab, field: '/x', op: 'exists', wires: [['d']] },
      { id: 'd', type: 'hub-deliver', z: tab, system: systemId('KIZON_JUKI'), wires: [] },
    ]);
    expect(late.problems.map((problem) => problem.en).join('\n')).to.include(
      'put the route before the transformer',
    );
  });

  it('a route\'s "otherwise" output compiles into the opposite condition, and a route without one warns', () => {
    const tab = affair11().id;
    const routeFlows = (routeWires: string[][], op = 'eq', value = 'BLOCKED') =>
      edited((nodes) => [
        ...nodes,
        {
          id: 'i',
          type: 'hub-in',
          z: tab,
          step: 'affair-11.routed',
          messageTypes: 'kiosk.certificate.failed',
          wires: [['r']],
        },
        { id: 'r', type: 'hub-route', z: tab, field: 'errorKind', op, value, wires: routeWires },
        { id: 'd1', type: 'hub-deliver', z: tab, system: systemId('KIZON_JUKI'), wires: [] },
        ...(routeWires.length > 1
          ? [{ id: 'd2', type: 'hub-deliver', z: tab, system: systemId('KIZON_JUKI'), wires: [] }]
          : []),
      ]);
    const both = checkFlows(routeFlows([['d1'], ['d2']]), context);
    expect(both.problems).to.deep.equal([]);
    expect(both.warnings).to.deep.equal([]);
    const routed = both.steps.filter((step) => step.name.startsWith('affair-11.routed'));
    expect(routed.map((step) => step.when)).to.deep.equal([
      [{ field: '/errorKind', op: 'eq', value: 'BLOCKED' }],
      [{ field: '/errorKind', op: 'eq', value: 'BLOCKED', negate: true }],
    ]);
    // Without the otherwise wire: it compiles, with a warning naming the route node.
    const one = checkFlows(routeFlows([['d1']]), context);
    expect(one.problems).to.deep.equal([]);
    expect(one.warnings.map((warning) => warning.nodeId)).to.deep.equal(['r']);
    expect(one.warnings[0]?.en).to.include('no "otherwise" branch');
    expect(one.warnings[0]?.ja).to.include('その他');
    // The comparisons integrators need, each checked for a value that fits.
    for (const [op, value] of [
      ['in', 'BLOCKED,TIMEOUT'],
      ['prefix', 'BLO'],
      ['gte', '3'],
      ['before', '20260401'],
      ['after', '2026-04-01'],
    ] as const) {
      expect(
        checkFlows(routeFlows([['d1'], ['d2']], op, value), context).problems,
        op,
      ).to.deep.equal([]);
    }
    for (const [op, value] of [
      ['lt', 'three'],
      ['before', '2026/04/01'],
      ['in', ' , '],
      ['matches', 'x'],
    ] as const) {
      // Refused on the route node (once per branch through it).
      const refused = checkFlows(routeFlows([['d1'], ['d2']], op, value), context).problems;
      expect(refused.length, op).to.be.greaterThan(0);
      expect(new Set(refused.map((problem) => problem.nodeId)), op).to.deep.equal(new Set(['r']));
    }
  });
});

describe('flows: the files', () => {
  it('writes one pretty-printed file per affair with a stable key order', () => {
    const text = renderFlowFile([
      { wires: [], z: 't', type: 'hub-in', id: 'a', step: 's', name: 'n' },
    ]);
    expect(text).to.equal(
      '[\n  {\n    "id": "a",\n    "type": "hub-in",\n    "z": "t",\n    "name": "n",\n    "step": "s",\n    "wires": []\n  }\n]\n',
    );
  });

  it('a changed wire changes one affair file and the diff names it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-flows-write-'));
    try {
      writeFlowsDir(dir, checkedIn);
      const before = new Map(
        readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
      );
      const after = wireTo('affair-11.failed-to-center', 'KIZON_JUKI');
      writeFlowsDir(dir, after);
      const changed = readdirSync(dir).filter(
        (name) => readFileSync(join(dir, name), 'utf8') !== before.get(name),
      );
      expect(changed).to.deep.equal(['11-affair-11.json']);
      expect(diffFlows(checkedIn, after)).to.deep.equal([
        {
          file: '11-affair-11.json',
          added: ['new-deliver'],
          removed: [],
          changed: [inOf('affair-11.failed-to-center').id],
        },
      ]);
      expect(readFlowsDir(dir)).to.have.length(after.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
