/**
 * The saga runner as a hub plugin (`hub start`): the sagas the flows declare (tab property
 * `HUB_SAGA…`), the hub's code for them, the city's business calendar, and the systems' URLs from the
 * configuration (`HUB_<SYSTEM>_URL`, else the local simulator address).
 */
import { simAddresses, type SimSystem } from '../../connectors/runtime/systems.js';
import { businessCalendar } from '../calendar/business-calendar.js';
import { readFlowsDir } from '../nodered/flows-dir.js';
import { definePlugin } from '../plugin.js';
import { affair7Sagas } from './affair-7.js';
import { sagasOfFlows } from './definition.js';
import { startSagaRunner } from './runner.js';

/** Milliseconds between the runner's polls of the store. */
export const SAGA_POLL_MS = 1000;

export const sagaPlugin = definePlugin({
  name: 'sagas',
  needs: ['config', 'broker', 'store', 'keyRing'],
  async start(context) {
    const { config } = context;
    const definitions = sagasOfFlows(readFlowsDir(config.flowsDir));
    const local = simAddresses();
    const urls: Readonly<Partial<Record<SimSystem, string>>> = config.systemUrls;
    const runner = await startSagaRunner({
      broker: context.broker,
      store: context.store,
      keyRing: context.keyRing,
      calendar: businessCalendar({
        closures: config.cityClosures,
        morning: config.businessMorning,
      }),
      definitions,
      code: affair7Sagas({
        lgCode: config.lgCode,
        urlOf: (system) => urls[system] ?? local[system],
      }),
      pollMs: SAGA_POLL_MS,
    });
    return { stop: () => runner.stop() };
  },
});
