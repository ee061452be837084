/**
 * What the editor shows is what runs (issue 24, items 1 and 3), counted at the receiving simulators:
 * a disabled step stops delivering after a deploy and delivers again once re-enabled; a route's
 * "otherwise" branch takes the other case, and a route without one counts what it skipped.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import type { StepSpec } from '../../hub/engine/step.js';
import type { FlowNode } from '../../hub/nodered/flow-model.js';
import { readFlowsDir } from '../../hub/nodered/flows-dir.js';
import { sampleMessage } from '../../schemas/sample.js';
import type { MessageType } from '../../schemas/registry.js';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e } from './support.js';

const steps: StepSpec[] = [
  {
    route: 'affair-11',
    name: 'affair-11.movement-to-conveni',
    input: ['resident.movement.recorded'],
    output: { kind: 'deliver', system: 'CONVENI_ISSUANCE' },
  },
  {
    route: 'affair-11',
    name: 'affair-11.blocked-to-center',
    input: ['kiosk.certificate.failed'],
    when: [{ field: '/errorKind', op: 'eq', value: 'BLOCKED' }],
    output: { kind: 'deliver', system: 'JLIS_CERT_CENTER' },
  },
];

async function publish(e2e: E2e, messageType: MessageType, body: unknown): Promise<string> {
  const messageId = randomUUID();
  await e2e.hub.broker.publisher.publish(
    EVENTS_EXCHANGE,
    messageType,
    Buffer.from(JSON.stringify(body)),
    { messageId, type: messageType, appId: 'TEST' },
  );
  return messageId;
}

/**
 * Raw deliveries of one type at a simulator, by the body field `key` (the コンビニ交付 simulator
 * records a movement by its 宛名番号 only).
 */
async function arrived(
  e2e: E2e,
  system: 'CONVENI_ISSUANCE' | 'JLIS_CERT_CENTER',
  type: string,
  key: string,
) {
  const list = await e2e.received(system);
  return list.messages
    .filter((message) => message.messageType === type)
    .map((message) => String(message.body[key]));
}

function inOf(flows: readonly FlowNode[], step: string): FlowNode {
  const found = flows.find((node) => node.type === 'hub-in' && node['step'] === step);
  if (found === undefined) throw new Error(`no hub-in ${step}`);
  return found;
}

describe('e2e: what the editor shows is what runs', function () {
  this.timeout(120_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e({ steps });
  });
  after(async () => {
    await e2e.stop();
  });

  // First: the disabled step's deliveries make the conveni simulator answer with kiosk.certificate.failed
  // messages of its own, which the route below would also count.
  it('a route with an otherwise branch sends the other case there; without one, it counts the skipped', async () => {
    const failed = (seed: number, errorKind: string) => ({
      ...sampleMessage('kiosk.certificate.failed', seed),
      errorKind,
    });
    const skippedOf = async (step: string) =>
      (await e2e.hub.metrics.skipped.get()).values
        .filter((item) => item.labels.step === step)
        .reduce((sum, item) => sum + item.value, 0);

    // Without otherwise: a TIMEOUT is taken by no branch — counted as skipped, delivered nowhere.
    const timeout = failed(21, 'TIMEOUT');
    await publish(e2e, 'kiosk.certificate.failed', timeout);
    await eventually(
      async () => (await skippedOf('affair-11.blocked-to-center')) === 1,
      30_000,
      'the route counts the message it skipped',
    );
    expect(
      await arrived(e2e, 'JLIS_CERT_CENTER', 'kiosk.certificate.failed', 'centerRequestId'),
    ).to.not.include(timeout.centerRequestId);

    // Wire the route's otherwise output to a second deliver node and deploy.
    const flows = readFlowsDir(e2e.flowsDir);
    const input = inOf(flows, 'affair-11.blocked-to-center');
    const route = flows.find((node) => node.id === input.wires?.[0]?.[0]);
    expect(route?.type).to.equal('hub-route');
    const deliver = flows.find((node) => node.id === route?.wires?.[0]?.[0]);
    if (route === undefined || deliver === undefined) throw new Error('unexpected flows');
    const otherwise: FlowNode = {
      ...deliver,
      id: 'otherwise-deliver',
      y: Number(deliver['y']) + 80,
    };
    await e2e.hub.routing.deploy(
      [
        ...flows.map((node) =>
          node.id === route.id ? { ...node, wires: [[deliver.id], [otherwise.id]] } : node,
        ),
        otherwise,
      ],
      'integrator',
    );
    const other = failed(22, 'NOT_FOUND');
    const match = failed(23, 'BLOCKED');
    await publish(e2e, 'kiosk.certificate.failed', other);
    await publish(e2e, 'kiosk.certificate.failed', match);
    await eventually(
      async () => {
        const ids = await arrived(
          e2e,
          'JLIS_CERT_CENTER',
          'kiosk.certificate.failed',
          'centerRequestId',
        );
        return ids.includes(other.centerRequestId) && ids.includes(match.centerRequestId);
      },
      30_000,
      'both cases arrive: the other one through the otherwise branch',
    );
    const ids = await arrived(
      e2e,
      'JLIS_CERT_CENTER',
      'kiosk.certificate.failed',
      'centerRequestId',
    );
    // Each exactly once: a message takes one branch, never both.
    expect(ids.filter((id) => id === other.centerRequestId)).to.have.length(1);
    expect(ids.filter((id) => id === match.centerRequestId)).to.have.length(1);
  });

  it('a disabled step stops delivering after the deploy; re-enabled, it delivers again', async () => {
    const flows = readFlowsDir(e2e.flowsDir);
    const input = inOf(flows, 'affair-11.movement-to-conveni');
    const deliver = input.wires?.[0]?.[0];
    const toggle = (d: boolean) =>
      flows.map((node) => (node.id === deliver ? { ...node, ...(d ? { d: true } : {}) } : node));
    const request = (seed: number) => sampleMessage('resident.movement.recorded', seed);

    await publish(e2e, 'resident.movement.recorded', request(1));
    await eventually(
      async () =>
        (await arrived(e2e, 'CONVENI_ISSUANCE', 'resident.movement.recorded', 'atenaNumber'))
          .length === 1,
      30_000,
      'the enabled step delivers',
    );

    await e2e.hub.routing.deploy(toggle(true), 'integrator');
    expect(e2e.hub.engine.steps().map((step) => step.name)).to.not.include(
      'affair-11.movement-to-conveni',
    );
    // Nothing takes the type now: the publisher refuses it as unroutable instead of losing it.
    const refused = await publish(e2e, 'resident.movement.recorded', request(2)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(Error);
    expect((refused as Error).name).to.equal('UnroutableError');

    // The other step keeps running: a message published after the refused one goes through.
    const blocked = { ...sampleMessage('kiosk.certificate.failed', 7), errorKind: 'BLOCKED' };
    await publish(e2e, 'kiosk.certificate.failed', blocked);
    await eventually(
      async () =>
        (
          await arrived(e2e, 'JLIS_CERT_CENTER', 'kiosk.certificate.failed', 'centerRequestId')
        ).includes(blocked.centerRequestId),
      30_000,
      'the other step still delivers',
    );
    expect(
      await arrived(e2e, 'CONVENI_ISSUANCE', 'resident.movement.recorded', 'atenaNumber'),
    ).to.have.length(1);

    await e2e.hub.routing.deploy(toggle(false), 'integrator');
    const third = request(3);
    await publish(e2e, 'resident.movement.recorded', third);
    await eventually(
      async () =>
        (
          await arrived(e2e, 'CONVENI_ISSUANCE', 'resident.movement.recorded', 'atenaNumber')
        ).includes(third.resident.atenaNumber),
      30_000,
      'the re-enabled step delivers',
    );
    expect(
      await arrived(e2e, 'CONVENI_ISSUANCE', 'resident.movement.recorded', 'atenaNumber'),
    ).to.have.length(2);
  });
});
