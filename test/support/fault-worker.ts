/**
 * A hub engine process for the fault tests: runs a test route until it is killed, delivering over
 * HTTP to the test's fake external system. Configured by environment variables:
 * - FAULT_ROUTE=forward (default): forward, then deliver; FAULT_ROUTE=ordered: one ordered deliver
 *   step (`orderBy: /subject`, a single-active-consumer queue) taking test.item.forwarded.
 * Every POST carries the message id as its idempotency key and this process's id in `x-worker`, so
 * the destination can tell which process delivered what without asking the hub.
 */
import { ConnectorError } from '../../hub/errors.js';
import { configureLogger } from '../../hub/logger.js';
import type { Sink, StepSpec } from '../../hub/engine/step.js';
import { startEngine } from './engine-harness.js';

// Log to stdout at debug level: the test writes it to this process's log (test/support/hub-logs.ts),
// which the suite's final scan reads.
configureLogger({ level: 'debug' });

const url = process.env['FAULT_AMQP_URL'] ?? '';
const dbUrl = process.env['FAULT_DB_URL'] ?? '';
const sinkUrl = process.env['FAULT_SINK_URL'] ?? '';
const route = process.env['FAULT_ROUTE'] ?? 'forward';
const prefetch = Number(process.env['FAULT_PREFETCH'] ?? '64');

/** An HTTP connector as real ones are: POST with the message id as the idempotency key. */
const httpSink: Sink = {
  system: 'TEST_SYSTEM',
  allowsMyNumber: false,
  async deliver(message) {
    let response: Response;
    try {
      response = await fetch(sinkUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': message.messageId,
          'x-worker': String(process.pid),
        },
        body: message.content,
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      throw new ConnectorError('TEST_SYSTEM', 'unreachable', true, { cause: error });
    }
    if (!response.ok)
      throw new ConnectorError('TEST_SYSTEM', `answered ${String(response.status)}`, true);
  },
};

const routes: Record<string, StepSpec[]> = {
  forward: [
    {
      route: 'test',
      name: 'test.forward',
      input: ['test.item.recorded'],
      transformer: 'test-forward',
      output: { kind: 'publish', messageType: 'test.item.forwarded' },
    },
    {
      route: 'test',
      name: 'test.deliver',
      input: ['test.item.forwarded'],
      output: { kind: 'deliver', system: 'TEST_SYSTEM' },
    },
  ],
  ordered: [
    {
      route: 'test',
      name: 'test.ordered',
      input: ['test.item.forwarded'],
      output: { kind: 'deliver', system: 'TEST_SYSTEM' },
      orderBy: '/subject',
    },
  ],
};
const steps = routes[route];
if (steps === undefined) throw new Error(`FAULT_ROUTE: unknown route ${JSON.stringify(route)}`);

await startEngine({ url, dbUrl, prefetch, sinks: [httpSink], steps });
process.stdout.write('ready\n');
