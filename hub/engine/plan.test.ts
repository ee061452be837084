import { expect } from 'chai';
import { PolicyError, ValidationError } from '../errors.js';
import { sampleMyNumber } from '../../schemas/sample.js';
import { testCatalogue, testTransformers } from '../../test/support/catalogue.js';
import { incomingOf, outputIdOf, planStep, type PlanDeps, type Received } from './plan.js';
import type { EngineTransformer, StepSpec } from './step.js';

/** Echoes what the engine gives a transformer: the time and the municipality. */
const contextEcho: EngineTransformer = {
  name: 'context-echo',
  from: 'test.item.recorded',
  to: 'test.item.forwarded',
  transform(input: never, context) {
    const item = input as { subject: string; seq: number; value: number };
    return {
      subject: item.subject,
      seq: item.seq,
      doubled: item.value * 2,
      note: `${context.now} ${context.lgCode}`,
    };
  },
};

const deps: PlanDeps = {
  catalogue: testCatalogue(),
  transformers: new Map([...testTransformers, [contextEcho.name, contextEcho]]),
  sinks: new Map([['TEST_SYSTEM', { system: 'TEST_SYSTEM', allowsMyNumber: false }]]),
  lgCode: '271004',
};

const step: StepSpec = {
  route: 'test',
  name: 'test.echo',
  input: ['test.item.recorded'],
  transformer: 'context-echo',
  output: { kind: 'deliver', system: 'TEST_SYSTEM' },
};

function received(body: unknown, headers: Record<string, unknown> = {}): Received {
  return {
    content: Buffer.from(JSON.stringify(body)),
    properties: { messageId: 'm-1', type: 'test.item.recorded' },
    headers,
    routingKey: 'test.item.recorded',
    exchange: 'hub.events',
  };
}

/** 2026-12-03 00:30 in Japan, 2026-12-02 in UTC. */
const at = new Date('2026-12-02T15:30:00.000Z');

describe('step plan (pure)', () => {
  it('transforms with Japan time and the configured 地方公共団体コード, and names the output deterministically', () => {
    const incoming = incomingOf(received({ subject: 's', seq: 1, value: 2 }), at);
    const plan = planStep(step, incoming, null, deps, at);
    if (plan.kind !== 'emit') throw new Error(`expected emit, got ${plan.kind}`);
    expect(plan.output).to.include({
      kind: 'deliver',
      destination: 'TEST_SYSTEM',
      messageType: 'test.item.forwarded',
      messageId: outputIdOf('test.echo:m-1'),
    });
    expect((plan.output.body as { note: string }).note).to.equal(
      '2026-12-03T00:30:00.000+09:00 271004',
    );
    // The same input, deps and instant: the same bytes.
    const again = planStep(step, incoming, null, deps, at);
    expect(again.kind === 'emit' && again.output.content.equals(plan.output.content)).to.equal(
      true,
    );
  });

  it('skips what the conditions do not take, and what is past its deadline', () => {
    const conditional: StepSpec = { ...step, when: [{ field: '/subject', op: 'eq', value: 'x' }] };
    const incoming = incomingOf(received({ subject: 's', seq: 1, value: 2 }), at);
    expect(planStep(conditional, incoming, null, deps, at)).to.deep.equal({
      kind: 'skip',
      outcome: 'skipped',
    });
    const late = incomingOf(
      received({ subject: 's', seq: 1, value: 2 }, { 'x-hub-deadline': at.getTime() - 1 }),
      at,
    );
    expect(planStep(step, late, null, deps, at)).to.deep.equal({
      kind: 'skip',
      outcome: 'expired',
    });
  });

  it('rejects invalid input and a My Number the affair does not permit, with the error the runner dead-letters', () => {
    const invalid = planStep(
      step,
      incomingOf(received({ subject: 's', seq: -1, value: 2 }), at),
      null,
      deps,
      at,
    );
    expect(invalid.kind === 'reject' && invalid.error).to.be.instanceOf(ValidationError);
    const deliver: StepSpec = { ...step, transformer: undefined };
    const leak = planStep(
      deliver,
      incomingOf(received({ subject: 's', seq: 1, value: 2, note: sampleMyNumber(3) }), at),
      null,
      deps,
      at,
    );
    expect(leak.kind === 'reject' && leak.error).to.be.instanceOf(PolicyError);
  });
});
