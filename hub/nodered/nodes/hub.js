// The whole hub palette in one call, for tools that load nodes as a function (the Node-RED test
// helper in test/integration/nodered-nodes.test.ts). Node-RED itself loads the palette as a module:
// package.json lists one folder per node, each with its runtime file, its editor file and its
// message catalogs and help under locales/en-US and locales/ja.
import { flowNodeTypes, registerFlowNode, registerSystem } from './lib/runtime.js';

/**
 * Registers the hub palette.
 * @param {any} RED the Node-RED runtime API
 */
export default function register(RED) {
  for (const type of flowNodeTypes) registerFlowNode(RED, type);
  registerSystem(RED);
}
