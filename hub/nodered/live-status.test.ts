import { expect } from 'chai';
import { createMetrics } from '../metrics.js';
import { createLiveStatus } from './live-status.js';

/**
 * Issue 24 item 6: a node's status says what the step does now. The counters are the hub's real
 * metrics, moved as the runner moves them; the clock and the queue depth are the test's.
 */
describe('live node status', () => {
  const step = 'affair-1.juminhyo-kankei-to-tougou-atena';

  function setUp() {
    const metrics = createMetrics({ defaultMetrics: false });
    let clock = 0;
    let depth = 0;
    const live = createLiveStatus({
      metrics,
      now: () => clock,
      backlog: () => Promise.resolve(new Map([[step, depth]])),
    });
    return {
      metrics,
      live,
      at: async (seconds: number, queue: number) => {
        clock = seconds * 1000;
        depth = queue;
        await live.sample();
        return live.statusOf([step]);
      },
    };
  }

  it('during a 503 outage: red with the current error rate and backlog; green within a minute of recovery', async () => {
    const { metrics, at } = setUp();
    await at(0, 0);
    // The system answers 503: five attempts fail, messages pile up in the queue.
    for (let i = 0; i < 5; i += 1) {
      metrics.failed.inc({ step, reason: 'connector' });
      metrics.outcomes.inc({ step, outcome: 'retried' });
    }
    const outage = await at(10, 7);
    expect(outage).to.deep.equal({
      fill: 'red',
      shape: 'ring',
      text: '0/min · err 5/min · queue 7',
    });
    // Recovered at 20 s: the seven waiting messages go through.
    metrics.outcomes.inc({ step, outcome: 'delivered' }, 7);
    const recovering = await at(22, 0);
    expect(recovering.fill).to.equal('yellow');
    expect(recovering.text).to.equal('7/min · err 5/min · queue 0');
    // Half a minute after the last failure: green, though the minute still counts the errors.
    const recovered = await at(42, 0);
    expect(recovered.fill).to.equal('green');
    expect(recovered.text).to.equal('7/min · err 5/min · queue 0');
    // A minute on, the window holds nothing.
    expect((await at(90, 0)).text).to.equal('0/min · queue 0');
  });

  it('counts messages, not attempts, and shows skipped messages', async () => {
    const { metrics, at } = setUp();
    await at(0, 0);
    // One message: two failed attempts, then delivered — one message through.
    metrics.failed.inc({ step, reason: 'connector' }, 2);
    metrics.outcomes.inc({ step, outcome: 'retried' }, 2);
    metrics.outcomes.inc({ step, outcome: 'delivered' });
    metrics.outcomes.inc({ step, outcome: 'skipped' }, 3);
    const status = await at(5, 0);
    expect(status.text).to.equal('1/min · err 2/min · skipped 3 · queue 0');
    expect(status.fill).to.equal('yellow');
  });

  it('a dead letter shows while recent, and other steps do not count', async () => {
    const { metrics, at, live } = setUp();
    await at(0, 0);
    metrics.failed.inc({ step, reason: 'validation' });
    metrics.outcomes.inc({ step, outcome: 'dead-lettered' });
    metrics.outcomes.inc({ step: 'another.step', outcome: 'delivered' }, 9);
    const status = await at(3, 0);
    expect(status).to.deep.equal({
      fill: 'red',
      shape: 'dot',
      text: '0/min · err 1/min · DL 1 · queue 0',
    });
    expect(live.statusOf(['another.step']).text).to.equal('9/min · queue 0');
  });
});
