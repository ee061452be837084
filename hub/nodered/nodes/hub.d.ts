/** Types of the hub palette's runtime file (plain JavaScript so that Node-RED can require() it). */

/** Registers the hub palette node types with a Node-RED runtime. */
export default function register(RED: unknown): void;
