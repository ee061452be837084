/**
 * The `connectors` plugin: in demo mode (`HUB_SIMULATORS` on) it starts every simulator at its
 * default port, wired to the hub's own publisher for what the simulated systems originate. The
 * sinks come from `connectors/index.ts` through `startHub`'s defaults, because the engine's sinks are
 * fixed when it is created, before plugins start; the routes come from the deployed flows.
 */
import { definePlugin } from '../hub/plugin.js';
import { loggerFor } from '../hub/logger.js';
import { createIngress, exchangeDirOf, startSimulators } from './index.js';

/** Starts the simulators when the configuration asks for them. */
export const connectorsPlugin = definePlugin({
  name: 'connectors',
  needs: ['config', 'broker', 'catalogue'],
  async start(context) {
    if (!context.config.simulators) return { stop: () => Promise.resolve() };
    const log = loggerFor('simulators');
    const set = await startSimulators({
      ingress: createIngress(() => context.broker.publisher, context.catalogue),
      exchangeDir: exchangeDirOf(context.config),
      skipBusyPorts: true,
    });
    for (const [system, sim] of set.simulators)
      log.info({ system, url: sim.url() }, 'simulator running');
    return { stop: () => set.stop() };
  },
});
