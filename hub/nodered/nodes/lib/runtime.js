// The hub palette's runtime side, shared by every node folder (Node-RED loads each `<type>/<type>.js`
// with require(); Node ≥ 20.19 loads an ES module that way). The nodes only declare a route: they
// never carry messages on Node-RED's bus (DESIGN principle 2). On deploy the hub compiles the flows
// into engine steps (hub/nodered/flow-model.ts); here each node just shows the engine's live status,
// which the hub hands over as the `hubBridge` setting. Plain JavaScript because Node-RED cannot
// require() a .ts file.

/* global setInterval, clearInterval */

/** Node types that sit on a tab (the `hub-system` config node is registered separately). */
export const flowNodeTypes = [
  'hub-in',
  'hub-transform',
  'hub-route',
  'hub-publish',
  'hub-deliver',
  'hub-request',
  'hub-bulk',
];

const idle = { fill: 'grey', shape: 'ring', text: 'declared / 宣言のみ' };
const statusEveryMs = 2000;
const notAPath =
  'ハブのノードは経路の宣言です（メッセージはエンジンが運びます） / hub nodes declare routes; the engine moves the messages';

/**
 * @typedef {{ fill: string, shape: string, text: string }} NodeStatus
 * @typedef {{ status(nodeId: string): NodeStatus | undefined }} HubBridge
 */

/**
 * Registers one flow node type of the hub palette.
 * @param {any} RED the Node-RED runtime API
 * @param {string} type the node type
 */
export function registerFlowNode(RED, type) {
  /** @returns {HubBridge | undefined} */
  function bridge() {
    const value = RED.settings.hubBridge;
    return value && typeof value.status === 'function' ? value : undefined;
  }

  function HubFlowNode(config) {
    RED.nodes.createNode(this, config);
    const show = () => {
      const hub = bridge();
      this.status((hub && hub.status(this.id)) || idle);
    };
    show();
    const timer = setInterval(show, statusEveryMs);
    this.on('input', (_msg, _send, done) => {
      // A message here was sent by some other node: hub nodes are not a message path.
      this.warn(notAPath);
      done();
    });
    this.on('close', () => {
      clearInterval(timer);
    });
  }
  RED.nodes.registerType(type, HubFlowNode);
}

/**
 * Registers the `hub-system` config node.
 * @param {any} RED the Node-RED runtime API
 */
export function registerSystem(RED) {
  function HubSystem(config) {
    RED.nodes.createNode(this, config);
    this.system = config.system;
    this.myNumber = config.myNumber;
  }
  RED.nodes.registerType('hub-system', HubSystem);
}
