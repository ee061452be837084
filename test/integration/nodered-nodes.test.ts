/**
 * Every hub palette node under node-red-node-test-helper: it loads, shows the engine's status the
 * hub hands over (or "declared" without one), and never carries a message on Node-RED's bus — a
 * message sent into it goes nowhere (DESIGN principle 2).
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { hubNodeTypes } from '../../hub/nodered/flow-model.js';
import hubNodes from '../../hub/nodered/nodes/hub.js';
import { eventually } from '../support/broker.js';

/** The parts of node-red-node-test-helper used here (the package ships no types). */
interface TestHelper {
  init(runtimePath: string): void;
  settings(settings: Record<string, unknown>): unknown;
  load(nodes: unknown, flow: readonly Record<string, unknown>[]): Promise<void>;
  unload(): Promise<void>;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  getNode(id: string): TestNode | undefined;
}

/** A node instance as the helper returns it. */
interface TestNode {
  readonly id: string;
  readonly type: string;
  readonly system?: string;
  readonly myNumber?: string;
  receive(msg: Record<string, unknown>): void;
  on(event: 'call:status' | 'call:warn', listener: (call: { args: unknown[] }) => void): void;
  on(event: 'input', listener: (msg: unknown) => void): void;
}

const require = createRequire(import.meta.url);
const helper = require('node-red-node-test-helper') as TestHelper;
helper.init(require.resolve('node-red'));

// The palette as the compiler knows it: the runtime file (plain JS, its own list) must register each.
const flowTypes = hubNodeTypes.filter((type) => type !== 'hub-system');

const tab = { id: 'tab1', type: 'tab', label: 'affair-1 test' };

describe('Node-RED hub palette nodes (test helper)', function () {
  this.timeout(30_000);

  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  afterEach(async () => {
    helper.settings({ hubBridge: undefined });
    await helper.unload();
  });

  for (const type of flowTypes) {
    describe(type, () => {
      it('loads and shows "declared" when the hub gives no status', async () => {
        const statuses: unknown[] = [];
        await helper.load(hubNodes, [tab, { id: 'n1', z: 'tab1', type, name: 'x', wires: [[]] }]);
        const node = helper.getNode('n1');
        expect(node?.type).to.equal(type);
        node?.on('call:status', (call) => statuses.push(call.args[0]));
        await eventually(() => statuses.length > 0, 5000, 'a status');
        expect(statuses[0]).to.deep.equal({
          fill: 'grey',
          shape: 'ring',
          text: 'declared / 宣言のみ',
        });
      });

      it("shows the engine's counts the hub hands over for this node", async () => {
        helper.settings({
          hubBridge: {
            status: (id: string) =>
              id === 'n1'
                ? { fill: 'red', shape: 'dot', text: 'in 3 / out 2 / err 1 / DL 1' }
                : undefined,
          },
        });
        const statuses: unknown[] = [];
        await helper.load(hubNodes, [tab, { id: 'n1', z: 'tab1', type, name: 'x', wires: [[]] }]);
        helper.getNode('n1')?.on('call:status', (call) => statuses.push(call.args[0]));
        await eventually(() => statuses.length > 0, 5000, 'a status');
        expect(statuses[0]).to.deep.equal({
          fill: 'red',
          shape: 'dot',
          text: 'in 3 / out 2 / err 1 / DL 1',
        });
      });

      it('does not carry a message sent into it', async () => {
        await helper.load(hubNodes, [
          tab,
          { id: 'n1', z: 'tab1', type, name: 'x', wires: [['out']] },
          { id: 'out', z: 'tab1', type: 'helper' },
        ]);
        const node = helper.getNode('n1');
        const out = helper.getNode('out');
        const warnings: unknown[] = [];
        const passed: unknown[] = [];
        node?.on('call:warn', (call) => warnings.push(call.args[0]));
        out?.on('input', (msg) => passed.push(msg));
        node?.receive({ payload: { anything: 1 } });
        await eventually(() => warnings.length > 0, 5000, 'the warning');
        expect(String(warnings[0])).to.contain('ハブのノードは経路の宣言です');
        expect(passed).to.deep.equal([]);
      });
    });
  }

  describe('hub-system', () => {
    it('loads as a config node with its system and 個人番号 permission', async () => {
      await helper.load(hubNodes, [
        tab,
        { id: 's1', type: 'hub-system', name: 'CS', system: 'JUKINET_CS', myNumber: 'all' },
        { id: 'd1', z: 'tab1', type: 'hub-deliver', system: 's1', wires: [] },
      ]);
      const system = helper.getNode('s1');
      expect(system?.system).to.equal('JUKINET_CS');
      expect(system?.myNumber).to.equal('all');
    });
  });
});
