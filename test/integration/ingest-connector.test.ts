import { expect } from 'chai';
import type amqp from 'amqplib';
import { publishKioskRequest } from '../../connectors/jlis-cert-center/ingress.js';
import { publishMovement } from '../../connectors/kizon-juki/ingress.js';
import { createIngress, type Ingress } from '../../connectors/runtime/ingress.js';
import { buildTopology, createBroker, type Broker } from '../../hub/broker/index.js';
import { createIngest } from '../../hub/ingest/publish.js';
import { sampleMessage, sampleMovementRecorded } from '../../schemas/sample.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { createVhost, eventually, rawConnection, type TestVhost } from '../support/broker.js';

const kioskType = 'kiosk.certificate.requested' as const;
const kioskQueue = 'hub.step.connector-ingress-test';

interface Taken {
  readonly content: Buffer;
  readonly properties: amqp.MessageProperties;
  readonly headers: Readonly<Record<string, unknown>>;
}

function text(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** The failure headers of a dead letter, by name, as text. */
function failureHeaders(letter: Taken): Record<string, string | undefined> {
  const names = [
    'x-hub-source',
    'x-hub-original-exchange',
    'x-hub-original-routing-key',
    'x-hub-reason-class',
    'x-hub-error-code',
  ];
  return Object.fromEntries(names.map((name) => [name, text(letter.headers[name])]));
}

describe('ingest: a connector’s ingress goes through the one ingest core', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  let broker: Broker;
  let ingress: Ingress;
  let connection: amqp.ChannelModel;
  let channel: amqp.Channel;

  async function take(queue: string, what: string): Promise<Taken> {
    let found: Taken | undefined;
    await eventually(
      async () => {
        const message = await channel.get(queue, { noAck: true });
        if (message === false) return false;
        found = {
          content: message.content,
          properties: message.properties,
          headers: message.properties.headers ?? {},
        };
        return true;
      },
      10_000,
      what,
    );
    if (found === undefined) throw new Error(what);
    return found;
  }

  before(async () => {
    vhost = await createVhost('hub-connector-ingress');
    broker = createBroker({ url: vhost.url, name: 'hub-connector-ingress' });
    await broker.start();
    await broker.declare(
      buildTopology(
        [
          {
            queue: kioskQueue,
            bindingKeys: [kioskType],
            singleActiveConsumer: false,
            deliveryLimit: 10,
          },
        ],
        [],
      ),
    );
    ingress = createIngress(() => broker.publisher, schemaRegistry());
    connection = await rawConnection(vhost.url);
    channel = await connection.createChannel();
  });

  after(async () => {
    await connection.close().catch(() => undefined);
    await broker.close().catch(() => undefined);
    await vhost.delete();
  });

  it('publishes what a system originates with the contract’s properties, its deadline and source', async () => {
    const request = sampleMessage(kioskType);
    const result = await publishKioskRequest(ingress, request);
    expect(result.accepted).to.equal(true);
    const taken = await take(kioskQueue, 'the kiosk request');
    expect(JSON.parse(taken.content.toString('utf8'))).to.deep.equal(request);
    expect(taken.properties.messageId).to.equal(result.messageId);
    expect(taken.properties.type).to.equal(kioskType);
    expect(taken.properties.appId).to.equal('JLIS_CERT_CENTER');
    expect(taken.properties.correlationId).to.equal(request.centerRequestId);
    expect(taken.properties.timestamp).to.be.a('number');
    expect(text(taken.headers['x-hub-source'])).to.equal('connector');
    expect(taken.headers['x-hub-deadline']).to.equal(Date.parse(request.respondBy));
  });

  it('dead-letters a body that fails its schema with the headers every ingest path writes', async () => {
    const request = {
      ...sampleMessage(kioskType),
      centerRequestId: 'connector-invalid-1',
      authCertSerial: 'not a serial',
    };
    const result = await publishKioskRequest(ingress, request);
    expect(result.accepted).to.equal(false);
    const fromConnector = await take('hub.dead-letters', 'the connector’s dead letter');
    expect(fromConnector.properties.messageId).to.equal(result.messageId);
    expect(fromConnector.properties.appId).to.equal('JLIS_CERT_CENTER');
    expect(JSON.parse(fromConnector.content.toString('utf8'))).to.deep.equal(request);
    expect(text(fromConnector.headers['x-hub-schema-paths'])).to.contain('/authCertSerial');
    expect(text(fromConnector.headers['x-hub-reason-ja'])).to.be.a('string').that.is.not.empty;
    expect(text(fromConnector.headers['x-hub-reason-en'])).to.be.a('string').that.is.not.empty;
    expect(Date.parse(text(fromConnector.headers['x-hub-failed-at']) ?? '')).to.not.be.NaN;
    // The deadline stays with the bytes, so a replay still expires on time.
    expect(fromConnector.headers['x-hub-deadline']).to.equal(Date.parse(request.respondBy));

    // The same bytes offered by another path: the same dead letter but for the source.
    const core = createIngest({ publisher: broker.publisher, catalogue: schemaRegistry() });
    await core.submit({
      messageType: kioskType,
      content: Buffer.from(JSON.stringify(request)),
      messageId: 'cli-invalid-1',
      system: 'JLIS_CERT_CENTER',
      source: 'cli',
    });
    const fromCli = await take('hub.dead-letters', 'the CLI’s dead letter');
    expect({ ...failureHeaders(fromConnector), 'x-hub-source': 'cli' }).to.deep.equal(
      failureHeaders(fromCli),
    );
    expect(failureHeaders(fromConnector)).to.include({
      'x-hub-source': 'connector',
      'x-hub-original-exchange': 'hub.events',
      'x-hub-original-routing-key': kioskType,
      'x-hub-reason-class': 'validation',
      'x-hub-error-code': 'HUB_INVALID_MESSAGE',
    });
  });

  it('keeps a valid message that no route takes as a dead letter instead of losing it', async () => {
    const movement = sampleMovementRecorded({ historyNo: 77 }, 1);
    const [result] = await publishMovement(ingress, movement, undefined);
    expect(result?.accepted).to.equal(false);
    const letter = await take('hub.dead-letters', 'the unroutable movement');
    expect(letter.properties.messageId).to.equal(result?.messageId);
    expect(failureHeaders(letter)).to.include({
      'x-hub-source': 'connector',
      'x-hub-error-code': 'HUB_UNROUTABLE',
    });
  });
});
