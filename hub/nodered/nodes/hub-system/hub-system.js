// The hub-system config node's runtime side (see ../lib/runtime.js): one external system.
import { registerSystem } from '../lib/runtime.js';

/** @param {any} RED the Node-RED runtime API */
export default function register(RED) {
  registerSystem(RED);
}
