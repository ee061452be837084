/**
 * A hub engine process for the fault test: runs the test route (forward, then deliver over HTTP to
 * the test's fake external system) until it is killed. Configured by environment variables.
 */
import { createWriteStream } from 'node:fs';
import { ConnectorError } from '../../hub/errors.js';
import { configureLogger } from '../../hub/logger.js';
import type { Sink } from '../../hub/engine/step.js';
import { startEngine } from './engine-harness.js';

// Log into the suite's log file, so the leak scan covers this process too.
const logFile = process.env['HUB_TEST_LOG'];
if (logFile !== undefined)
  configureLogger({ level: 'debug', destination: createWriteStream(logFile, { flags: 'a' }) });

const url = process.env['FAULT_AMQP_URL'] ?? '';
const dbUrl = process.env['FAULT_DB_URL'] ?? '';
const sinkUrl = process.env['FAULT_SINK_URL'] ?? '';

/** An HTTP connector as real ones are: POST with the message id as the idempotency key. */
const httpSink: Sink = {
  system: 'TEST_SYSTEM',
  allowsMyNumber: false,
  async deliver(message) {
    let response: Response;
    try {
      response = await fetch(sinkUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': message.messageId },
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

await startEngine({
  url,
  dbUrl,
  prefetch: 64,
  sinks: [httpSink],
  steps: [
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
});
process.stdout.write('ready\n');
