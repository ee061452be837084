import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import { loadConfig } from '../../hub/config.js';
import { createOperatorLog } from '../../hub/audit/operator-log.js';
import { deadLettersPlugin } from '../../hub/dead-letters/http.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import { sampleMessage } from '../../schemas/sample.js';
import { createVhost, eventually, type TestVhost } from '../support/broker.js';
import { recordingSink } from '../support/engine-harness.js';
import { flowsDirFor } from '../support/flows.js';

const password = 'correct horse battery';
const basic = (user: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the dead-letters plugin in a running hub', function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  let hub: RunningHub;
  const sink = recordingSink('TEST_SYSTEM');

  before(async () => {
    vhost = await createVhost('hub-dlq-plugin');
    hub = await startHub(
      loadConfig({
        HUB_AMQP_URL: vhost.url,
        HUB_HTTP_PORT: '0',
        HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-dlq-plugin-')),
        HUB_FLOWS_DIR: flowsDirFor(
          [
            {
              route: 'affair-1',
              name: 'dlq-plugin.deliver',
              input: ['resident.movement.recorded'],
              output: { kind: 'deliver', system: 'TEST_SYSTEM' },
              retry: { maxAttempts: 1 },
            },
          ],
          [sink],
        ),
        HUB_SIMULATORS: 'off',
      }),
      {
        plugins: [deadLettersPlugin],
        sinks: [sink],
      },
    );
    const credentials = storeCredentials(hub.store, { bcryptRounds: 4 });
    await credentials.addUser('op1', password, 'operator');
    await credentials.addUser('aud1', password, 'auditor');
  });

  after(async () => {
    await hub.stop();
    await vhost.delete();
  });

  it('archives an invalid message, lists it to an auditor, and replays a corrected body for an operator', async () => {
    const messageId = randomUUID();
    await hub.broker.publisher.publish(
      EVENTS_EXCHANGE,
      'resident.movement.recorded',
      Buffer.from(JSON.stringify({ lgCode: '131016' })),
      { messageId, type: 'resident.movement.recorded', appId: 'KIZON_JUKI' },
    );
    const base = `http://127.0.0.1:${String(hub.httpPort)}/api/dead-letters`;
    let items: { id: number; messageId: string; reasonClass: string; step: string }[] = [];
    await eventually(
      async () => {
        const response = await fetch(`${base}?reason=validation`, {
          headers: { authorization: basic('aud1') },
        });
        items = ((await response.json()) as { items: typeof items }).items;
        return items.length === 1;
      },
      20_000,
      'the archived dead letter in GET /api/dead-letters',
    );
    expect(items[0]).to.include({
      messageId,
      reasonClass: 'validation',
      step: 'dlq-plugin.deliver',
    });

    const replay = (user: string, dryRun: boolean) =>
      fetch(`${base}/replay`, {
        method: 'POST',
        headers: { authorization: basic(user), 'content-type': 'application/json' },
        body: JSON.stringify({
          ids: [items[0]!.id],
          dryRun,
          body: sampleMessage('resident.movement.recorded', 3),
          reason: 'fixed with the registry team',
        }),
      });
    expect((await replay('aud1', false)).status).to.equal(403);
    const answer = await replay('op1', false);
    expect(answer.status).to.equal(200);
    expect(((await answer.json()) as { published: number }).published).to.equal(1);
    await eventually(() => sink.applied.size === 1, 20_000, 'the replayed delivery');
    const actions = (await createOperatorLog(hub.store, hub.keyRing).list()).map(
      (row) => row.action,
    );
    expect(actions).to.deep.equal(['dead-letter.edit', 'dead-letter.replay']);
  });
});
