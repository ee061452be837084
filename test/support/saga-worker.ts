/**
 * A hub process running the saga runner for the kill -9 test, until it is killed. Configured by
 * environment variables. With `SAGA_KILL_AFTER=<step id>` it kills itself (SIGKILL) right after that
 * step's system took the request and before the hub recorded the step: the worst moment.
 */
import { createWriteStream } from 'node:fs';
import { buildTopology, createBroker } from '../../hub/broker/index.js';
import { businessCalendar } from '../../hub/calendar/business-calendar.js';
import { configureLogger } from '../../hub/logger.js';
import { readFlowsDir } from '../../hub/nodered/flows-dir.js';
import { affair7Sagas } from '../../hub/saga/affair-7.js';
import { sagasOfFlows } from '../../hub/saga/definition.js';
import { startSagaRunner } from '../../hub/saga/runner.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { openStore } from '../../hub/store/index.js';
import type { SimSystem } from '../../connectors/index.js';

const logFile = process.env['HUB_TEST_LOG'];
if (logFile !== undefined)
  configureLogger({ level: 'debug', destination: createWriteStream(logFile, { flags: 'a' }) });

const urls = JSON.parse(process.env['SAGA_URLS'] ?? '{}') as Record<SimSystem, string>;
const killAfter = process.env['SAGA_KILL_AFTER'];

const store = await openStore(process.env['SAGA_DB_URL'] ?? '');
const broker = createBroker({ url: process.env['SAGA_AMQP_URL'] ?? '', name: 'saga-worker' });
await broker.start();
await broker.declare(buildTopology([], []));
const code = affair7Sagas({ lgCode: '131016', urlOf: (system) => urls[system] });
const moveIn = code['special-move-in'];
if (killAfter !== undefined && moveIn !== undefined) {
  const original = moveIn.steps[killAfter];
  if (original === undefined) throw new Error(`no step ${killAfter}`);
  code['special-move-in'] = {
    ...moveIn,
    steps: {
      ...moveIn.steps,
      [killAfter]: async (context) => {
        await original(context);
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      },
    },
  };
}
await startSagaRunner({
  broker,
  store,
  keyRing: createKeyRing([Buffer.from(process.env['SAGA_KEY'] ?? '', 'hex')]),
  calendar: businessCalendar(),
  definitions: sagasOfFlows(readFlowsDir('flows')),
  code,
  pollMs: 50,
  leaseMs: 1500,
});
process.stdout.write('ready\n');
