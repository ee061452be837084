/**
 * The replay dry run is the step's own pipeline (hub/engine/plan.ts) without the publish: the same
 * clock and time zone, the configured 地方公共団体コード, the My Number policy. With a clock fixed at
 * 00:30 Japan time (still the previous day in UTC), the dry run's output is byte for byte what the
 * step emits when the letter is really replayed.
 */
import { expect } from 'chai';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import { startArchiver, type Archiver } from '../../hub/dead-letters/archiver.js';
import type { DeadLetter } from '../../hub/store/dead-letters.js';
import type { Actor } from '../../hub/dead-letters/replay.js';
import { createDeadLetterService, type DeadLetterService } from '../../hub/dead-letters/service.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { ConnectorError } from '../../hub/errors.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { sampleMovementRecorded, sampleMovementRecordedTokutei } from '../../schemas/sample.js';
import { transformers } from '../../transformers/index.js';
import { createVhost, eventually, type TestVhost } from '../support/broker.js';
import {
  recordingSink,
  startEngine,
  tempSqliteUrl,
  type Harness,
  type RecordingSink,
} from '../support/engine-harness.js';

const operator: Actor = { name: 'op1', role: 'operator' };
/** 2026-12-03 00:30 in Japan; in UTC it is still 2026-12-02. */
const halfPastMidnightJst = new Date('2026-12-02T15:30:00.000Z');
/** Not the sample's 131016: a dry run that fell back to a built-in code would refuse the letter. */
const configuredLgCode = '271004';

const atenaStep: StepSpec = {
  route: 'affair-1',
  name: 'affair-1.atena-to-kyotsu-kiban',
  input: ['resident.movement.recorded'],
  transformer: 'resident-movement-recorded-to-atena-changed',
  output: { kind: 'deliver', system: 'KYOTSU_KIBAN' },
  retry: { maxAttempts: 1 },
};

/** 共通基盤 may not receive 個人番号: the runner quarantines a tokutei movement sent there. */
const leakStep: StepSpec = {
  route: 'affair-1',
  name: 'affair-1.tokutei-to-kyotsu-kiban',
  input: ['resident.movement.recorded.tokutei'],
  output: { kind: 'deliver', system: 'KYOTSU_KIBAN' },
  retry: { maxAttempts: 1 },
};

describe('replay dry run = the real step, without the publish', function () {
  this.timeout(60_000);
  let vhost: TestVhost;
  let harness: Harness;
  let sink: RecordingSink;
  let service: DeadLetterService;
  let archiver: Archiver;

  beforeEach(async () => {
    vhost = await createVhost('hub-replay-plan');
    sink = recordingSink('KYOTSU_KIBAN', false);
    const catalogue = schemaRegistry();
    harness = await startEngine({
      url: vhost.url,
      dbUrl: tempSqliteUrl(),
      steps: [atenaStep, leakStep],
      sinks: [sink],
      catalogue,
      transformers,
      lgCode: configuredLgCode,
      clock: () => halfPastMidnightJst,
    });
    service = createDeadLetterService({
      store: harness.store,
      keyRing: createKeyRing([randomBytes(32)]),
      replay: {
        publisher: harness.broker.publisher,
        catalogue,
        pipeline: harness.engine.pipeline,
        steps: () => harness.engine.steps(),
      },
    });
    archiver = await startArchiver({
      broker: harness.broker,
      repository: service.repository,
      retryDelayMs: 100,
    });
  });

  afterEach(async () => {
    await archiver.stop();
    await harness.stop();
    await vhost.delete();
  });

  async function deadLetter(type: string, body: unknown): Promise<DeadLetter> {
    await harness.broker.publisher.publish(
      EVENTS_EXCHANGE,
      type,
      Buffer.from(JSON.stringify(body)),
      { messageId: randomUUID(), type, appId: 'KIZON_JUKI' },
    );
    let found: DeadLetter[] = [];
    await eventually(
      async () => {
        found = await service.list({ status: 'all' });
        return found.length > 0;
      },
      20_000,
      'the dead letter',
    );
    return found[0]!;
  }

  it('at 00:30 JST the dry run shows exactly what the replayed step then delivers', async () => {
    sink.failWith = new ConnectorError('KYOTSU_KIBAN', 'HTTP 503', false);
    const letter = await deadLetter(
      'resident.movement.recorded',
      sampleMovementRecorded({ lgCode: configuredLgCode }),
    );
    expect(letter.reasonClass).to.equal('connector');
    sink.failWith = undefined;
    const attempted = sink.deliveries.length;

    const dry = await service.replay({ ids: [letter.id], dryRun: true, actor: operator });
    const planned = dry.items[0]!;
    expect(planned.status, JSON.stringify(planned.problem)).to.equal('would-publish');
    expect(planned.output).to.include({
      kind: 'deliver',
      messageType: 'atena.changed',
      destination: 'KYOTSU_KIBAN',
    });
    expect(sink.deliveries).to.have.length(attempted);

    const real = await service.replay({ ids: [letter.id], actor: operator, reason: 'back' });
    expect(real.items[0]!.status).to.equal('published');
    expect(real.items[0]!.output).to.deep.equal(planned.output);
    expect(real.items[0]!.effect).to.equal(planned.effect);

    await eventually(() => sink.applied.size === 1, 20_000, 'the replayed delivery');
    const [delivered] = [...sink.applied.values()];
    expect(delivered!.messageId).to.equal(planned.output!.messageId);
    expect(delivered!.messageType).to.equal(planned.output!.messageType);
    expect(createHash('sha256').update(delivered!.content).digest('hex')).to.equal(
      planned.output!.sha256,
    );
    // The step's own view of the time and the municipality, which the dry run therefore shared.
    expect(delivered!.body).to.include({
      asOf: '2026-12-03T00:30:00.000+09:00',
      lgCode: configuredLgCode,
    });
  });

  it('applies the My Number policy: a letter the step would quarantine again is refused, dry or not', async () => {
    const letter = await deadLetter(
      'resident.movement.recorded.tokutei',
      sampleMovementRecordedTokutei({ lgCode: configuredLgCode }),
    );
    expect(letter.reasonClass).to.equal('policy');

    for (const dryRun of [true, false]) {
      const report = await service.replay({ ids: [letter.id], dryRun, actor: operator });
      const item = report.items[0]!;
      expect(item.status, `dry run ${String(dryRun)}`).to.equal('refused');
      expect(item.problem!.en).to.contain('may not receive My Number');
      expect(item.problem!.ja).to.contain('個人番号を受け取れません');
      expect(JSON.stringify(item)).not.to.contain(
        (sampleMovementRecordedTokutei() as { myNumber: string }).myNumber,
      );
    }
    expect(sink.deliveries).to.have.length(0);
  });
});
