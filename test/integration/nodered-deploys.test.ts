/** Each deploy is a row in flow_deploys — who, when, what changed — on SQLite and MariaDB alike. */
import { expect } from 'chai';
import type { FlowNode } from '../../hub/nodered/flow-model.js';
import { describeDeploy, flowsDigest } from '../../hub/nodered/routing.js';
import { flowDeploys } from '../../hub/store/flow-deploys.js';
import { withStores } from '../support/db.js';

const tab: FlowNode = { id: 't11', type: 'tab', label: 'affair-11 コンビニ交付' };
const input: FlowNode = {
  id: 'in',
  type: 'hub-in',
  z: 't11',
  step: 'affair-11.x',
  wires: [['out']],
};
const output: FlowNode = { id: 'out', type: 'hub-deliver', z: 't11', system: 's', wires: [] };

describe('flow deploy records', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore }) => {
    it('records the actor, the time, the changed node ids per affair file and the flows', async () => {
      const store = await openFreshStore();
      const before = [tab, input, output];
      const added: FlowNode = { id: 'out2', type: 'hub-deliver', z: 't11', system: 's', wires: [] };
      const after = [tab, { ...input, wires: [['out', 'out2']] }, output, added];
      const started = Date.now();
      const { summary, diffJson } = describeDeploy(before, after);
      expect(summary).to.equal('11-affair-11.json: +1 ~1 -0');
      const deploys = flowDeploys(store);
      const id = await deploys.record({
        actor: 'integrator1',
        summary,
        diffJson,
        flowsSha256: flowsDigest(after),
        flowsJson: JSON.stringify(after),
        retiredQueues: ['hub.step.affair-11.gone'],
      });
      const rows = await store
        .knex<{ actor: string; summary: string; diff_json: string; at: Date | string }>(
          'flow_deploys',
        )
        .select('actor', 'summary', 'diff_json', 'at');
      expect(rows).to.have.length(1);
      const row = rows[0]!;
      expect(row.actor).to.equal('integrator1');
      expect(row.summary).to.equal(summary);
      expect(JSON.parse(row.diff_json)).to.deep.equal([
        { file: '11-affair-11.json', added: ['out2'], removed: [], changed: ['in'] },
      ]);
      const at = new Date(row.at).getTime();
      expect(at).to.be.within(started - 60_000, Date.now() + 60_000);
      const last = await deploys.last();
      expect(last?.id).to.equal(id);
      expect(last?.flowsSha256).to.equal(flowsDigest(after));
      expect(JSON.parse(last?.flowsJson ?? 'null')).to.deep.equal(after);
      expect((await deploys.retired()).map((entry) => entry.queue)).to.deep.equal([
        'hub.step.affair-11.gone',
      ]);
      // A deploy whose switch failed is forgotten with the queues it alone retired.
      await deploys.forget(id);
      expect(await deploys.last()).to.equal(undefined);
      expect(await deploys.retired()).to.deep.equal([]);
    });
  });
});
