import type { HubPlugin } from './plugin.js';
import { mojTerminalPlugin } from '../connectors/moj-terminal/ingress.js';
import { connectorsPlugin } from '../connectors/plugin.js';
import { counterPlugin } from './counter/http.js';
import { deadLettersPlugin } from './dead-letters/http.js';
import { ingestPlugin } from './ingest/index.js';
import { healthPlugin } from './health/plugin.js';
import { tracePlugin } from './trace/http.js';
import { editorPlugin } from './nodered/editor.js';
import { sagaPlugin } from './saga/plugin.js';
import { moveInTimerPlugin } from './timers/move-in-notice.js';

export type { HubContext, HubPlugin, HubServices, PluginHandle, ServiceName } from './plugin.js';
export { definePlugin, servicesFor } from './plugin.js';

/** The plugins `hub start` runs, in start order. */
export const defaultPlugins: readonly HubPlugin[] = [
  ingestPlugin,
  connectorsPlugin,
  mojTerminalPlugin,
  deadLettersPlugin,
  counterPlugin(),
  moveInTimerPlugin,
  sagaPlugin,
  healthPlugin,
  tracePlugin,
  editorPlugin,
];
