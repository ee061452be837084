import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { createMetrics } from '../../hub/metrics.js';
import { registerHealthGauges } from '../../hub/health/plugin.js';
import { repoRoot } from '../support/run-cli.js';

/**
 * Issue 24 item 8: the alert rules and the Grafana dashboard in deploy/ are loaded, not just read —
 * the rules by Prometheus's own `promtool` (Debian's prometheus package; .ci/run installs it), with
 * unit tests that make each alert fire; the dashboard against the shape Grafana needs, its PromQL
 * checked by promtool too, and every hub metric either names present in the hub's registry.
 */
const run = promisify(execFile);
const rulesFile = join(repoRoot, 'deploy/prometheus-alerts.yml');
const rulesTests = join(repoRoot, 'deploy/prometheus-alerts.test.yml');
const dashboardFile = join(repoRoot, 'deploy/grafana-dashboard.json');

async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: repoRoot });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT') {
      throw new Error('promtool is missing: apt-get install prometheus (.ci/run installs it)', {
        cause: error,
      });
    }
    return { code: Number(failed.code ?? 1), out: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** The JSON shape Grafana (schemaVersion ≥ 36) needs to import a dashboard with Prometheus panels. */
const dashboardSchema = {
  type: 'object',
  required: ['uid', 'title', 'schemaVersion', 'panels', 'time'],
  properties: {
    uid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' },
    title: { type: 'string', minLength: 1 },
    schemaVersion: { type: 'integer', minimum: 36 },
    time: {
      type: 'object',
      required: ['from', 'to'],
      properties: { from: { type: 'string' }, to: { type: 'string' } },
    },
    panels: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'type', 'title', 'gridPos', 'targets', 'datasource'],
        properties: {
          id: { type: 'integer', minimum: 1 },
          type: { enum: ['stat', 'timeseries', 'table', 'bargauge', 'gauge', 'text'] },
          title: { type: 'string', minLength: 1 },
          datasource: {
            type: 'object',
            required: ['type', 'uid'],
            properties: { type: { const: 'prometheus' }, uid: { type: 'string' } },
          },
          gridPos: {
            type: 'object',
            required: ['x', 'y', 'w', 'h'],
            properties: {
              x: { type: 'integer', minimum: 0, maximum: 23 },
              y: { type: 'integer', minimum: 0 },
              w: { type: 'integer', minimum: 1, maximum: 24 },
              h: { type: 'integer', minimum: 1 },
            },
          },
          targets: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['refId', 'expr'],
              properties: { refId: { type: 'string' }, expr: { type: 'string', minLength: 1 } },
            },
          },
        },
      },
    },
  },
} as const;

interface Panel {
  id: number;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { refId: string; expr: string }[];
}

/** The hub_* metric names in PromQL text (histogram series reduced to the histogram's name). */
function hubMetricsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\bhub_[a-z_]+/g)].map((match) => match[0]))].map((name) =>
    name.replace(/_(bucket|sum|count)$/, ''),
  );
}

/** The metric names a hub exports: the core's and the health gauges. */
function exportedNames(): Set<string> {
  const metrics = createMetrics({ defaultMetrics: false });
  registerHealthGauges({
    metrics,
    broker: {} as never,
    engine: {} as never,
    store: {} as never,
  });
  return new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
}

describe('deploy/: Prometheus alert rules and the Grafana dashboard load', function () {
  this.timeout(60_000);

  it('promtool check rules passes on the shipped rules', async () => {
    const result = await promtool('check', 'rules', rulesFile);
    expect(result.code, result.out).to.equal(0);
    expect(result.out).to.match(/SUCCESS: \d+ rules found/);
  });

  it('each alert fires on the series it is for, and not on the others (promtool test rules)', async () => {
    const result = await promtool('test', 'rules', rulesTests);
    expect(result.code, result.out).to.equal(0);
    const rules = readFileSync(rulesFile, 'utf8');
    const tests = readFileSync(rulesTests, 'utf8');
    for (const [, name] of rules.matchAll(/- alert: (\w+)/g)) {
      expect(tests, `a test case for ${String(name)}`).to.include(`alertname: ${String(name)}`);
    }
    for (const alert of [
      'HubSystemDown',
      'HubDeadLettersRising',
      'HubBacklogGrowing',
      'HubReplicaMissing',
    ])
      expect(rules).to.include(`alert: ${alert}`);
  });

  it('a broken rule is refused by the same check (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-rules-'));
    const broken = join(dir, 'broken.yml');
    writeFileSync(
      broken,
      readFileSync(rulesFile, 'utf8').replace(
        '> 0\n          unless on (system)',
        '> > 0\n          unless on (system)',
      ),
    );
    const result = await promtool('check', 'rules', broken);
    expect(result.code).to.not.equal(0);
  });

  it('the dashboard JSON loads: Grafana shape, no overlapping panels, valid PromQL, metrics the hub exports', async () => {
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { panels: Panel[] };
    const validate = new Ajv({ allErrors: true }).compile(dashboardSchema);
    expect(validate(dashboard), JSON.stringify(validate.errors)).to.equal(true);
    const panels = dashboard.panels;
    expect(new Set(panels.map((panel) => panel.id)).size).to.equal(panels.length);
    for (const panel of panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).to.be.at.most(24);
      for (const other of panels) {
        if (other.id <= panel.id) continue;
        const a = panel.gridPos;
        const b = other.gridPos;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${panel.title} overlaps ${other.title}`).to.equal(false);
      }
    }
    // Every query is checked by Prometheus's parser: as recording rules of a throwaway rules file.
    const exprs = panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    const dir = mkdtempSync(join(tmpdir(), 'hub-dashboard-'));
    const file = join(dir, 'dashboard-queries.yml');
    writeFileSync(
      file,
      JSON.stringify({
        groups: [
          {
            name: 'dashboard',
            rules: exprs.map((expr, index) => ({ record: `dashboard:q${String(index)}`, expr })),
          },
        ],
      }),
    );
    const parsed = await promtool('check', 'rules', file);
    expect(parsed.code, parsed.out).to.equal(0);
    // No panel or alert reads a metric the hub does not export.
    const exported = exportedNames();
    const named = hubMetricsIn(exprs.join('\n') + readFileSync(rulesFile, 'utf8'));
    expect(named.length).to.be.greaterThan(5);
    for (const name of named) expect(exported.has(name), name).to.equal(true);
    for (const wanted of [
      'hub_step_queue_messages',
      'hub_step_queue_consumers',
      'hub_dead_letters_open',
      'hub_ingest_backlog',
      'hub_delivery_attempts_total',
    ])
      expect(named).to.include(wanted);
  });
});
