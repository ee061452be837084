import { expect } from 'chai';
import type amqp from 'amqplib';
import { randomBytes, randomUUID } from 'node:crypto';
import { buildTopology, createBroker, type Broker } from '../../hub/broker/index.js';
import { businessCalendar } from '../../hub/calendar/business-calendar.js';
import { readFlowsDir } from '../../hub/nodered/flows-dir.js';
import { affair7Sagas } from '../../hub/saga/affair-7.js';
import { sagasOfFlows } from '../../hub/saga/definition.js';
import { startSagaRunner, type SagaRunner } from '../../hub/saga/runner.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { sagas, type Sagas } from '../../hub/store/sagas.js';
import type { Store } from '../../hub/store/types.js';
import { createIngress, type SimulatorSet } from '../../connectors/index.js';
import { sampleAtenaNumber, sampleJuminhyoCode } from '../../schemas/sample.js';
import {
  createVhost,
  eventually,
  publishRaw,
  rawConnection,
  type TestVhost,
} from '../support/broker.js';
import { withStores } from '../support/db.js';
import {
  cardEvents,
  elevenSteps,
  expectedTakes,
  issueCard,
  simPost,
  startSagaSimulators,
  takenBy,
} from '../support/saga-harness.js';

const LG = '131016';
const FROM = '271004';

describe('affair 7 特例転入 as a saga, and 1-⑧ (end to end against the simulators)', function () {
  this.timeout(90_000);

  withStores(({ openFreshStore }) => {
    let vhost: TestVhost;
    let broker: Broker;
    let connection: amqp.ChannelModel;
    let channel: amqp.ConfirmChannel;
    let store: Store;
    let sims: SimulatorSet;
    let repo: Sagas;
    let clock: Date;
    const runners: SagaRunner[] = [];

    const start = async (): Promise<SagaRunner> => {
      const runner = await startSagaRunner({
        broker,
        store,
        keyRing: createKeyRing([randomBytes(32)]),
        calendar: businessCalendar(),
        definitions: sagasOfFlows(readFlowsDir('flows')),
        code: affair7Sagas({ lgCode: LG, urlOf: (system) => sims.urls()[system] }),
        pollMs: 0,
        leaseMs: 60_000,
        now: () => clock,
      });
      runners.push(runner);
      return runner;
    };
    /** Polls (both replicas when two run) until the case reaches `state`. */
    const until = async (correlationId: string, state: string, what: string) => {
      await eventually(
        async () => {
          for (const runner of runners) await runner.poll();
          return (await repo.get(correlationId))?.state === state;
        },
        20_000,
        what,
      );
    };
    const accept = async (seed: number) => {
      const correlationId = randomUUID();
      await publishRaw(
        channel,
        'special-move-in.accepted',
        {
          correlationId,
          lgCode: LG,
          fromLgCode: FROM,
          cardHolderJuminhyoCode: sampleJuminhyoCode(seed),
          atenaNumber: sampleAtenaNumber(seed),
          movedInOn: '2026-12-01',
        },
        { correlationId },
      );
      return correlationId;
    };
    const certificate = (correlationId: string, seed: number) => ({
      correlationId,
      lgCode: LG,
      issuedBy: FROM,
      cardHolderJuminhyoCode: sampleJuminhyoCode(seed),
      members: [{ juminhyoCode: sampleJuminhyoCode(seed), cardHolder: true }],
      issuedAt: '2026-12-03T10:00:00+09:00',
    });
    /** Every external system took each of the case's steps once. */
    const eachStepOnce = async (correlationId: string, seed: number) => {
      for (const [system, types] of Object.entries(expectedTakes)) {
        expect(
          (await takenBy(sims, system as keyof typeof expectedTakes, correlationId)).sort(),
          system,
        ).to.deep.equal([...types].sort());
      }
      expect(await cardEvents(sims, sampleJuminhyoCode(seed))).to.deep.equal([
        'ISSUED',
        'CONTINUED_USE',
      ]);
    };

    beforeEach(async () => {
      // Thu 2026-12-03 10:00 in Japan.
      clock = new Date('2026-12-03T01:00:00Z');
      vhost = await createVhost('hub-saga');
      broker = createBroker({ url: vhost.url, name: 'hub-saga-test' });
      await broker.start();
      await broker.declare(buildTopology([], []));
      connection = await rawConnection(vhost.url);
      channel = await connection.createConfirmChannel();
      store = await openFreshStore();
      repo = sagas(store);
      // The simulators publish through the hub's real ingress (schema-checked at the edge).
      sims = await startSagaSimulators(createIngress(() => broker.publisher));
    });
    afterEach(async () => {
      for (const runner of runners.splice(0)) await runner.stop();
      await sims.stop();
      await connection.close().catch(() => undefined);
      await broker.close();
      await vhost.delete();
    });

    it('completes all eleven steps, each recorded with its time, each taken once by its system', async () => {
      await start();
      await start(); // two replicas
      await issueCard(sims, sampleJuminhyoCode(71), LG);
      const correlationId = await accept(71);
      await until(correlationId, 'DONE', 'the case to complete');
      const saga = await repo.get(correlationId);
      if (saga === undefined) throw new Error('no case');
      const steps = await repo.steps(saga.id);
      expect(steps.map((step) => step.stepId)).to.deep.equal(elevenSteps);
      expect(steps.map((step) => step.stepIndex)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (const step of steps) expect(step.doneAt.getTime()).to.equal(clock.getTime());
      await eachStepOnce(correlationId, 71);
      // The subject is a keyed hash, not the 住民票コード.
      expect(saga.subjectKey).to.match(/^[A-Za-z0-9_-]{20,64}$/);
      expect(saga.subjectKey).to.not.include(sampleJuminhyoCode(71));
    });

    it('goes overdue after the business-day limit, is listed first, and resumes when the late answer comes', async () => {
      await start();
      await issueCard(sims, sampleJuminhyoCode(72), LG);
      // A 1-⑧ request for someone who did not leave by 特例転出: FAILED, an operator's task, opened first.
      const failing = randomUUID();
      await simPost(sims, 'JUKINET_CS', '/tokurei/incoming-request', {
        correlationId: failing,
        cardHolderJuminhyoCode: sampleJuminhyoCode(79),
        requestingLgCode: FROM,
        fromLgCode: LG,
      });
      await until(failing, 'FAILED', 'the unanswerable 1-⑧ request to fail');
      // The 転出地 stays silent.
      await simPost(sims, 'JUKINET_CS', '/tokurei/hold', { hold: true });
      const correlationId = await accept(72);
      await until(correlationId, 'WAITING', 'the case to wait for the 転出証明書情報');
      const waiting = await repo.get(correlationId);
      expect(waiting?.waitingFor).to.equal('receive-certificate');
      // 3 business days after Thu 12-03: Fri 12-04, Mon 12-07, Tue 12-08 (counted by hand).
      expect(waiting?.dueOn).to.equal('2026-12-08');
      clock = new Date('2026-12-08T08:00:00Z'); // Tue 17:00 JST: due today, not overdue
      await runners[0]?.poll();
      expect((await repo.get(correlationId))?.overdue).to.equal(false);
      clock = new Date('2026-12-12T01:00:00Z'); // Sat: the last business day is Fri 12-11 > 12-08
      await runners[0]?.poll();
      expect((await repo.get(correlationId))?.overdue).to.equal(true);
      const listed = await repo.list();
      expect(listed.map((saga) => saga.correlationId)).to.deep.equal([correlationId, failing]);
      // The late answer resumes it.
      await simPost(sims, 'JUKINET_CS', '/tokurei/release', {});
      await until(correlationId, 'DONE', 'the case to resume and complete');
      expect((await repo.get(correlationId))?.overdue).to.equal(false);
      await eachStepOnce(correlationId, 72);
      expect((await repo.list()).map((saga) => saga.correlationId)).to.deep.equal([failing]);
    });

    it('duplicate and out-of-order replies leave one correct case', async () => {
      await start();
      await issueCard(sims, sampleJuminhyoCode(73), LG);
      await simPost(sims, 'JUKINET_CS', '/tokurei/hold', { hold: true });
      const correlationId = await accept(73);
      await until(correlationId, 'WAITING', 'the case to wait');
      // A later step's reply (the CS's report of 7-⑧) before the earlier one's, then the
      // 転出証明書情報 twice, then once more from the CS itself.
      await publishRaw(channel, 'special-move-in.move-in-notice.forwarded', {
        correlationId,
        forwardedAt: '2026-12-03T10:01:00+09:00',
      });
      await until(correlationId, 'WAITING', 'the early reply to change nothing');
      expect((await repo.get(correlationId))?.stepIndex).to.equal(2);
      await publishRaw(
        channel,
        'special-move-in.certificate-info.received',
        certificate(correlationId, 73),
      );
      await publishRaw(
        channel,
        'special-move-in.certificate-info.received',
        certificate(correlationId, 73),
      );
      await simPost(sims, 'JUKINET_CS', '/tokurei/release', {});
      await until(correlationId, 'DONE', 'the case to complete');
      const saga = await repo.get(correlationId);
      if (saga === undefined) throw new Error('no case');
      expect((await repo.steps(saga.id)).map((step) => step.stepId)).to.deep.equal(elevenSteps);
      await eachStepOnce(correlationId, 73);
      expect((await repo.list({ all: true })).length).to.equal(1);
      // The 転入 at 既存住基 was made from the 転出証明書情報, not from the early reply.
      const registry = (await (await fetch(`${sims.urls().KIZON_JUKI}/received`)).json()) as {
        messages: { correlationId?: string; body: { certificateInfo?: Record<string, unknown> } }[];
      };
      const moveIn = registry.messages.filter((m) => m.correlationId === correlationId);
      expect(moveIn).to.have.length(1);
      expect(moveIn[0]?.body.certificateInfo?.['issuedBy']).to.equal(FROM);
      expect(moveIn[0]?.body.certificateInfo?.['cardHolderJuminhyoCode']).to.equal(
        sampleJuminhyoCode(73),
      );
    });

    it("1-⑧: another city asks for a 特例転出 resident's 転出証明書情報 and gets it through the CS", async () => {
      await start();
      await simPost(sims, 'KIZON_JUKI', '/trigger/special-move-out', {
        juminhyoCode: sampleJuminhyoCode(74),
        plannedMoveOutOn: '2026-11-30',
        destinationLgCode: FROM,
      });
      const correlationId = randomUUID();
      await simPost(sims, 'JUKINET_CS', '/tokurei/incoming-request', {
        correlationId,
        cardHolderJuminhyoCode: sampleJuminhyoCode(74),
        requestingLgCode: FROM,
        fromLgCode: LG,
      });
      await until(correlationId, 'DONE', 'the request to be answered');
      expect(await takenBy(sims, 'JUKINET_CS', correlationId)).to.deep.equal([
        'special-move-out.certificate-info.sent',
      ]);
      const response = await fetch(`${sims.urls().OTHER_MUNICIPALITY}/received`);
      const received = (await response.json()) as {
        messages: { correlationId?: string; messageType: string; body: Record<string, unknown> }[];
      };
      const answered = received.messages.filter((m) => m.correlationId === correlationId);
      expect(answered.map((m) => m.messageType)).to.deep.equal([
        'special-move-out.certificate-info.sent',
      ]);
      const info = answered[0]?.body['certificateInfo'] as Record<string, unknown>;
      expect(info['cardHolderJuminhyoCode']).to.equal(sampleJuminhyoCode(74));
      expect(info['plannedMoveOutOn']).to.equal('2026-11-30');
      expect(answered[0]?.body['lgCode']).to.equal(FROM);
      // A request about a resident of another city is not this city's to answer: no case.
      const elsewhere = randomUUID();
      await simPost(sims, 'JUKINET_CS', '/tokurei/incoming-request', {
        correlationId: elsewhere,
        cardHolderJuminhyoCode: sampleJuminhyoCode(75),
        requestingLgCode: FROM,
        fromLgCode: '011002',
      });
      const marker = randomUUID();
      await simPost(sims, 'JUKINET_CS', '/tokurei/incoming-request', {
        correlationId: marker,
        cardHolderJuminhyoCode: sampleJuminhyoCode(74),
        requestingLgCode: FROM,
        fromLgCode: LG,
      });
      await until(marker, 'DONE', 'a later request (after the foreign one) to be answered');
      expect(await repo.get(elsewhere)).to.equal(undefined);
    });
  });
});
