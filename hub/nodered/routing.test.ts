/** The x-to lint: flows deliver a type only to a system its schema lists (directly or via publish). */
import { expect } from 'chai';
import type { StepSpec } from '../engine/step.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { flowsFor, shippedFlowsPath } from '../../test/support/flows.js';
import { connectorSinks, lintContext } from './context.js';
import { readFlowsDir } from './flows-dir.js';
import { lintFlows, recipientProblems, recipientsFrom } from './routing.js';

const recipients = recipientsFrom(schemaRegistry().list());

function problemsOf(steps: readonly StepSpec[]): string[] {
  return lintFlows(flowsFor(steps, connectorSinks()), lintContext(), recipients).problems.map(
    (problem) => `${problem.en} / ${problem.ja}`,
  );
}

describe('flows: the x-to lint', () => {
  it('passes the shipped flows', () => {
    expect(
      lintFlows(readFlowsDir(shippedFlowsPath), lintContext(), recipients).problems,
    ).to.deep.equal([]);
  });

  it('refuses a delivery to a system the type’s x-to does not list, naming step, type and fix', () => {
    const problems = problemsOf([
      {
        route: 'affair-11',
        name: 'affair-11.failed-to-registry',
        input: ['kiosk.certificate.failed'],
        output: { kind: 'deliver', system: 'KIZON_JUKI' },
      },
    ]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.include('affair-11.failed-to-registry');
    expect(problems[0]).to.include('kiosk.certificate.failed');
    expect(problems[0]).to.include('KIZON_JUKI');
    expect(problems[0]).to.include('x-to');
    expect(problems[0]).to.include('スキーマの x-to');
  });

  it('accepts a delivery the x-to lists', () => {
    expect(
      problemsOf([
        {
          route: 'affair-1',
          name: 'affair-1.movement-to-conveni',
          input: ['resident.movement.recorded'],
          output: { kind: 'deliver', system: 'CONVENI_ISSUANCE' },
        },
      ]),
    ).to.deep.equal([]);
  });

  it('follows publish steps: what a type becomes may reach only the systems the type lists', () => {
    const publishes: StepSpec = {
      route: 'affair-1',
      name: 'affair-1.atena',
      input: ['resident.movement.recorded'],
      transformer: 'resident-movement-recorded-to-atena-changed',
      output: { kind: 'publish', messageType: 'atena.changed' },
    };
    const to = (system: string): StepSpec => ({
      route: 'affair-1',
      name: `affair-1.atena-to-${system.toLowerCase().replace(/_/g, '-')}`,
      input: ['atena.changed'],
      output: { kind: 'deliver', system },
    });
    const steps = [publishes, to('KYOTSU_KIBAN')];
    expect(
      recipientProblems(steps, new Map(), {
        ...recipients,
        // As if atena.changed might go anywhere: the movement's own x-to still decides.
        recipientsOf: (type) =>
          type === 'atena.changed'
            ? ['KYOTSU_KIBAN', 'JLIS_CERT_CENTER']
            : recipients.recipientsOf(type),
      }),
    ).to.deep.equal([]);
    const widened = recipientProblems([...steps, to('JLIS_CERT_CENTER')], new Map(), {
      ...recipients,
      recipientsOf: (type) =>
        type === 'atena.changed'
          ? ['KYOTSU_KIBAN', 'JLIS_CERT_CENTER']
          : recipients.recipientsOf(type),
    });
    expect(widened.map((problem) => problem.en)).to.have.length(1);
    expect(widened[0]?.en).to.include('resident.movement.recorded');
    expect(widened[0]?.en).to.include('JLIS_CERT_CENTER');
  });

  it('does not judge a system outside the catalogue (a test sink)', () => {
    expect(
      recipientProblems(
        [
          {
            route: 'test',
            name: 'test.x',
            input: ['resident.movement.recorded'],
            output: { kind: 'deliver', system: 'TEST_SYSTEM' },
          },
        ],
        new Map(),
        recipients,
      ),
    ).to.deep.equal([]);
  });
});
