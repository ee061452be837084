/**
 * The live status of each node in the editor (issue 24 item 6): what a step does *now*, not since the
 * hub started. Every few seconds a sample is taken of the step counters (messages settled by outcome,
 * failed attempts) and of the step queues' depth; the status shows the rates over the last minute and
 * the current backlog. It is red only while the step is failing now (failures in the last 30 s and no
 * message through), yellow while failures and successes mix, green otherwise — so a recovered step turns
 * green within half a minute. Counts are of messages (one per message settled at the step), except
 * `err`, which counts failed attempts in the window: a step failing now is what it must show.
 */
import type { HubMetrics } from '../metrics.js';

/** One sample: cumulative counts per step at a time. */
interface Sample {
  readonly at: number;
  readonly steps: ReadonlyMap<string, StepTotals>;
}

interface StepTotals {
  /** Messages through: delivered, published, replied, duplicate, expired. */
  readonly done: number;
  readonly skipped: number;
  readonly deadLettered: number;
  /** Failed attempts (each retry counts). */
  readonly failed: number;
}

/** A Node-RED node status. */
export interface NodeStatus {
  readonly fill: 'red' | 'yellow' | 'green' | 'grey';
  readonly shape: 'dot' | 'ring';
  readonly text: string;
}

/** What the live status reads. */
export interface LiveStatusDeps {
  readonly metrics: HubMetrics;
  /** Messages waiting per step name (the editor asks the broker); absent steps show no backlog. */
  readonly backlog: () => Promise<ReadonlyMap<string, number>>;
  readonly now?: () => number;
  /** The rate window (default 60 s) and the "failing now" window (default 30 s). */
  readonly windowMs?: number;
  readonly failingMs?: number;
}

const doneOutcomes = new Set(['delivered', 'published', 'replied', 'duplicate', 'expired']);

async function totals(metrics: HubMetrics): Promise<Map<string, StepTotals>> {
  const steps = new Map<
    string,
    { done: number; skipped: number; deadLettered: number; failed: number }
  >();
  const entry = (step: string) => {
    let found = steps.get(step);
    if (found === undefined) {
      found = { done: 0, skipped: 0, deadLettered: 0, failed: 0 };
      steps.set(step, found);
    }
    return found;
  };
  for (const item of (await metrics.outcomes.get()).values) {
    const step = item.labels.step;
    const outcome = item.labels.outcome;
    if (typeof step !== 'string' || typeof outcome !== 'string') continue;
    if (doneOutcomes.has(outcome)) entry(step).done += item.value;
    else if (outcome === 'skipped') entry(step).skipped += item.value;
    else if (outcome === 'dead-lettered') entry(step).deadLettered += item.value;
  }
  for (const item of (await metrics.failed.get()).values) {
    const step = item.labels.step;
    if (typeof step === 'string') entry(step).failed += item.value;
  }
  return steps;
}

const zero: StepTotals = { done: 0, skipped: 0, deadLettered: 0, failed: 0 };

function minus(a: StepTotals, b: StepTotals): StepTotals {
  return {
    done: a.done - b.done,
    skipped: a.skipped - b.skipped,
    deadLettered: a.deadLettered - b.deadLettered,
    failed: a.failed - b.failed,
  };
}

/** Messages per minute over the window (the count itself for the default one-minute window). */
function perMinute(count: number, windowMs: number): string {
  const rate = (count * 60_000) / windowMs;
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(1);
}

/** The live status over samples of the hub's counters and queue depths. */
export function createLiveStatus(deps: LiveStatusDeps) {
  const now = deps.now ?? Date.now;
  const windowMs = deps.windowMs ?? 60_000;
  const failingMs = deps.failingMs ?? 30_000;
  const samples: Sample[] = [];
  let backlog: ReadonlyMap<string, number> = new Map();

  /** The newest sample at or before `at` (or the oldest kept). */
  function sampleAt(at: number): Sample | undefined {
    let found: Sample | undefined;
    for (const sample of samples) {
      if (sample.at <= at) found = sample;
      else break;
    }
    return found ?? samples[0];
  }

  return {
    /** Takes a sample (the editor calls it every 2 s); keeps a window's worth. */
    async sample(): Promise<void> {
      const at = now();
      samples.push({ at, steps: await totals(deps.metrics) });
      while (samples.length > 2 && (samples[1]?.at ?? at) <= at - windowMs) samples.shift();
      backlog = await deps.backlog().catch(() => backlog);
    },

    /**
     * The status of a node running `steps` (several when one node compiles to more steps).
     * `skipsOf`: the steps whose skips are shown — those of a hub-in whose branches do not cover
     * every case; on a covered one a skip is just the other branch's message (flow-model.ts).
     */
    statusOf(steps: readonly string[], skipsOf?: ReadonlySet<string>): NodeStatus {
      const latest = samples.at(-1);
      if (latest === undefined) return { fill: 'grey', shape: 'ring', text: '—' };
      const since = (ms: number) => {
        const base = sampleAt(latest.at - ms);
        let sum = zero;
        for (const step of steps) {
          const delta = minus(latest.steps.get(step) ?? zero, base?.steps.get(step) ?? zero);
          sum = {
            done: sum.done + delta.done,
            skipped: sum.skipped + (skipsOf === undefined || skipsOf.has(step) ? delta.skipped : 0),
            deadLettered: sum.deadLettered + delta.deadLettered,
            failed: sum.failed + delta.failed,
          };
        }
        return { sum };
      };
      const minute = since(windowMs);
      const recent = since(failingMs);
      const waiting = steps.reduce((total, step) => total + (backlog.get(step) ?? 0), 0);
      const failing = recent.sum.failed + recent.sum.deadLettered > 0;
      const fill = !failing ? 'green' : recent.sum.done + recent.sum.skipped > 0 ? 'yellow' : 'red';
      const parts = [`${perMinute(minute.sum.done, windowMs)}/min`];
      if (minute.sum.failed > 0) parts.push(`err ${perMinute(minute.sum.failed, windowMs)}/min`);
      if (minute.sum.deadLettered > 0) parts.push(`DL ${String(minute.sum.deadLettered)}`);
      // Skipped: taken by no branch of a route (hub-route without an "otherwise" output), last minute.
      if (minute.sum.skipped > 0) parts.push(`skipped ${String(minute.sum.skipped)}`);
      parts.push(`queue ${String(waiting)}`);
      return { fill, shape: waiting > 0 ? 'ring' : 'dot', text: parts.join(' · ') };
    },
  };
}

/** The live status created by `createLiveStatus`. */
export type LiveStatus = ReturnType<typeof createLiveStatus>;
