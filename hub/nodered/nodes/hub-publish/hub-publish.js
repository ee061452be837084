// The hub-publish node's runtime side (see ../lib/runtime.js): it declares a route step and shows its status.
import { registerFlowNode } from '../lib/runtime.js';

/** @param {any} RED the Node-RED runtime API */
export default function register(RED) {
  registerFlowNode(RED, 'hub-publish');
}
