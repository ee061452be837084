/**
 * Flows for tests and benchmarks. The hub only runs steps compiled from a flows directory, so a test
 * that needs its own route writes it as flows (`flowsDirFor`) and a test that needs the shipped
 * routes compiles the shipped flows (`shippedSteps`) or copies some of their files (`shippedFlowsDir`).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MyNumberPermission, StepSpec } from '../../hub/engine/step.js';
import { lintContext } from '../../hub/nodered/context.js';
import { checkFlows, systemsFile, type FlowNode } from '../../hub/nodered/flow-model.js';
import { readFlowsDir, writeFlowsDir } from '../../hub/nodered/flows-dir.js';
import { systemNameJa } from '../../hub/nodered/layout.js';

/** The checked-in flows directory. */
export const shippedFlowsPath = resolve(import.meta.dirname, '../../flows');

/** The steps the shipped flows compile to (they must compile), optionally only some routes. */
export function shippedSteps(routes?: readonly string[]): StepSpec[] {
  const { steps, problems } = checkFlows(readFlowsDir(shippedFlowsPath), lintContext());
  if (problems.length > 0) {
    throw new Error(`the shipped flows do not compile: ${JSON.stringify(problems)}`);
  }
  return routes === undefined ? steps : steps.filter((step) => routes.includes(step.route));
}

/**
 * A fresh directory with the shipped affair files of `routes` (all when not given) and the shipped
 * systems file — only the `hub-system` nodes of `systems` when given (a hub with only those sinks).
 */
export function shippedFlowsDir(routes?: readonly string[], systems?: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hub-flows-'));
  for (const name of readdirSync(shippedFlowsPath)) {
    const route = /^\d\d-(.+)\.json$/.exec(name)?.[1];
    if (route === undefined) continue;
    if (name === systemsFile && systems !== undefined) {
      const nodes = JSON.parse(readFileSync(join(shippedFlowsPath, name), 'utf8')) as FlowNode[];
      const kept = nodes.filter((node) => systems.includes(String(node['system'])));
      writeFileSync(join(dir, name), `${JSON.stringify(kept, null, 2)}\n`);
    } else if (name === systemsFile || routes === undefined || routes.includes(route)) {
      copyFileSync(join(shippedFlowsPath, name), join(dir, name));
    }
  }
  return dir;
}

function idOf(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A system the flows may deliver to, with its 個人番号 permission. */
export interface FlowSystem {
  readonly system: string;
  readonly allowsMyNumber: MyNumberPermission;
}

/**
 * The flows equivalent to `steps` (one tab per route; a `hub-system` node per system): compiled,
 * they give back exactly `steps`. `systems` are the sinks the hub will have (their permissions).
 */
export function flowsFor(steps: readonly StepSpec[], systems: readonly FlowSystem[]): FlowNode[] {
  const nodes: FlowNode[] = [];
  for (const sink of systems) {
    const permission = sink.allowsMyNumber;
    nodes.push({
      id: idOf(`system:${sink.system}`),
      type: 'hub-system',
      // The shipped systems file names each system in Japanese (npm run flows:layout).
      name: systemNameJa(sink.system) ?? sink.system,
      system: sink.system,
      myNumber: permission === true ? 'all' : permission === false ? 'none' : 'routes',
      myNumberRoutes: typeof permission === 'boolean' ? '' : permission.routes.join(','),
    });
  }
  const routes = [...new Set(steps.map((step) => step.route))];
  for (const route of routes) {
    const tab = idOf(`tab:${route}`);
    nodes.push({ id: tab, type: 'tab', label: route, info: '', disabled: false, env: [] });
    steps
      .filter((step) => step.route === route)
      .forEach((step, row) => {
        const y = 60 + row * 80;
        const terminalId = idOf(`out:${step.name}`);
        const chain: FlowNode[] = [];
        (step.when ?? []).forEach((condition, index) => {
          chain.push({
            id: idOf(`when:${step.name}:${String(index)}`),
            type: 'hub-route',
            z: tab,
            name: '',
            field: condition.field,
            op: condition.op,
            value: condition.value ?? '',
            // An "otherwise" condition leaves by the route's second output.
            otherwise: condition.negate === true,
          });
        });
        if (step.transformer !== undefined) {
          chain.push({
            id: idOf(`transform:${step.name}`),
            type: 'hub-transform',
            z: tab,
            name: '',
            transformer: step.transformer,
          });
        }
        const retry = step.retry ?? {};
        const optional = (value: number | undefined) => (value === undefined ? '' : String(value));
        nodes.push({
          id: idOf(`in:${step.name}`),
          type: 'hub-in',
          z: tab,
          name: step.name,
          step: step.name,
          messageTypes: step.input.join(','),
          orderBy: step.orderBy ?? '',
          idempotencyKey: step.idempotencyKey ?? '',
          subject: step.subject ?? '',
          sagaSubject: step.sagaSubject ?? '',
          retryMaxAttempts: optional(retry.maxAttempts),
          retryInitialDelayMs: optional(retry.initialDelayMs),
          retryMultiplier: optional(retry.multiplier),
          retryMaxDelayMs: optional(retry.maxDelayMs),
          deliveryLimit: optional(step.deliveryLimit),
          prefetch: optional(step.prefetch),
          x: 180,
          y,
          wires: [[chain[0]?.id ?? terminalId]],
        });
        chain.forEach(({ otherwise, ...node }, index) => {
          const next = chain[index + 1]?.id ?? terminalId;
          nodes.push({
            ...node,
            x: 300 + index * 150,
            y,
            wires: otherwise === true ? [[], [next]] : [[next]],
          });
        });
        const output = step.output;
        const terminal =
          output.kind === 'deliver'
            ? { type: 'hub-deliver', system: idOf(`system:${output.system}`) }
            : output.kind === 'publish'
              ? { type: 'hub-publish', messageType: output.messageType }
              : { type: 'hub-request', deadlineMs: String(output.deadlineMs ?? 10_000) };
        nodes.push({ id: terminalId, z: tab, name: '', ...terminal, x: 800, y, wires: [] });
      });
  }
  return nodes;
}

/** A fresh flows directory holding `steps` as flows (see `flowsFor`). */
export function flowsDirFor(steps: readonly StepSpec[], systems: readonly FlowSystem[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hub-flows-'));
  writeFlowsDir(dir, flowsFor(steps, systems));
  // No steps and no systems: an empty systems file, a flows directory that runs no route on purpose.
  if (readdirSync(dir).length === 0) writeFileSync(join(dir, systemsFile), '[]\n');
  return dir;
}
