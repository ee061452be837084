// The hub palette's runtime side (Node-RED loads this file with require(); Node ≥ 20.19 loads an ES
// module that way). The nodes only declare a route: they never carry messages on Node-RED's bus
// (DESIGN principle 2). On deploy the hub compiles the flows into engine steps
// (hub/nodered/flow-model.ts); here each node just shows the engine's live status, which the hub
// hands over as the `hubBridge` setting. Plain JavaScript because Node-RED cannot require() a .ts file.

/* global setInterval, clearInterval */

/** Node types that sit on a tab (the `hub-system` config node is registered separately). */
const flowNodeTypes = [
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

/**
 * @typedef {{ fill: string, shape: string, text: string }} NodeStatus
 * @typedef {{ status(nodeId: string): NodeStatus | undefined }} HubBridge
 */

/**
 * Registers the hub palette.
 * @param {any} RED the Node-RED runtime API
 */
export default function register(RED) {
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
      this.warn(
        'hub nodes declare routes; the engine moves the messages / ハブのノードは経路の宣言です（メッセージはエンジンが運びます）',
      );
      done();
    });
    this.on('close', () => {
      clearInterval(timer);
    });
  }

  function HubSystem(config) {
    RED.nodes.createNode(this, config);
    this.system = config.system;
    this.myNumber = config.myNumber;
  }

  for (const type of flowNodeTypes) RED.nodes.registerType(type, HubFlowNode);
  RED.nodes.registerType('hub-system', HubSystem);
}
