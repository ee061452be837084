/**
 * One-off migration: writes `flows/` from the StepSpec routes in `routes/` (run with
 * `npx tsx hub/nodered/generate-flows.ts [dir]`). Since then the flows are the source of truth; the
 * routes stay only as the seed this script and a drift test compare against.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { StepSpec } from '../engine/step.js';
import { affairRoutes } from '../../routes/index.js';
import type { FlowNode } from './flow-model.js';
import { connectorSinks } from './context.js';
import { writeFlowsDir } from './flows-dir.js';

function idOf(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

const tabLabels: Readonly<Record<string, { label: string; info: string }>> = {
  'affair-1': {
    label: 'affair-1 住民異動に伴う個人番号の生成・本人確認情報の更新',
    info: 'Affair 1: a resident movement reaches the CS, 共通基盤 and 統合宛名; the CS replies go back to the registry. Steps about one resident are ordered by the 住民票コード.\n事務1: 住民異動を CS・共通基盤・統合宛名へ。CS の応答は既存住基へ。同一住民のステップは住民票コード順。',
  },
  'affair-8': {
    label: 'affair-8 本人確認情報整合',
    info: 'Affair 8: claim check. Only manifests travel as messages; the connectors stream the files.\n事務8: クレームチェック。メッセージは目録だけで、ファイルはコネクタが流す。',
  },
  'affair-11': {
    label: 'affair-11 コンビニ交付',
    info: "Affair 11: the center's request goes to the convenience system and its answer back, at most once per centerRequestId.\n事務11: センターの要求をコンビニ交付システムへ、応答をセンターへ（centerRequestId ごとに一度）。",
  },
};

/** The flows equivalent to the given routes. */
export function flowsFromRoutes(routes: Readonly<Record<string, readonly StepSpec[]>>): FlowNode[] {
  const nodes: FlowNode[] = [];
  for (const sink of connectorSinks()) {
    const permission = sink.allowsMyNumber;
    nodes.push({
      id: idOf(`system:${sink.system}`),
      type: 'hub-system',
      name: sink.system,
      system: sink.system,
      myNumber: permission === true ? 'all' : permission === false ? 'none' : 'routes',
      myNumberRoutes: typeof permission === 'boolean' ? '' : permission.routes.join(','),
    });
  }
  for (const [route, steps] of Object.entries(routes)) {
    const tab = idOf(`tab:${route}`);
    nodes.push({
      id: tab,
      type: 'tab',
      label: tabLabels[route]?.label ?? route,
      info: tabLabels[route]?.info ?? '',
      disabled: false,
      env: [],
    });
    steps.forEach((step, row) => {
      const y = 60 + row * 80;
      const inId = idOf(`in:${step.name}`);
      const terminalId = idOf(`out:${step.name}`);
      const transformId = idOf(`transform:${step.name}`);
      const retry = step.retry ?? {};
      nodes.push({
        id: inId,
        type: 'hub-in',
        z: tab,
        name: step.name.replace(`${route}.`, ''),
        step: step.name,
        messageTypes: step.input.join(','),
        orderBy: step.orderBy ?? '',
        idempotencyKey: step.idempotencyKey ?? '',
        subject: step.subject ?? '',
        sagaSubject: step.sagaSubject ?? '',
        retryMaxAttempts: retry.maxAttempts === undefined ? '' : String(retry.maxAttempts),
        retryInitialDelayMs: retry.initialDelayMs === undefined ? '' : String(retry.initialDelayMs),
        retryMultiplier: retry.multiplier === undefined ? '' : String(retry.multiplier),
        retryMaxDelayMs: retry.maxDelayMs === undefined ? '' : String(retry.maxDelayMs),
        deliveryLimit: step.deliveryLimit === undefined ? '' : String(step.deliveryLimit),
        prefetch: step.prefetch === undefined ? '' : String(step.prefetch),
        x: 180,
        y,
        wires: [[step.transformer === undefined ? terminalId : transformId]],
      });
      if (step.transformer !== undefined) {
        nodes.push({
          id: transformId,
          type: 'hub-transform',
          z: tab,
          name: '',
          transformer: step.transformer,
          x: 480,
          y,
          wires: [[terminalId]],
        });
      }
      const output = step.output;
      if (output.kind === 'deliver') {
        const bulk = step.transformer === undefined && route === 'affair-8';
        nodes.push({
          id: terminalId,
          type: bulk ? 'hub-bulk' : 'hub-deliver',
          z: tab,
          name: '',
          system: idOf(`system:${output.system}`),
          x: 800,
          y,
          wires: [],
        });
      } else if (output.kind === 'publish') {
        nodes.push({
          id: terminalId,
          type: 'hub-publish',
          z: tab,
          name: '',
          messageType: output.messageType,
          x: 800,
          y,
          wires: [],
        });
      } else {
        nodes.push({
          id: terminalId,
          type: 'hub-request',
          z: tab,
          name: '',
          deadlineMs: '10000',
          x: 800,
          y,
          wires: [],
        });
      }
    });
  }
  return nodes;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const dir = resolve(process.argv[2] ?? 'flows');
  writeFlowsDir(dir, flowsFromRoutes(affairRoutes));
  process.stdout.write(`flows written to ${dir}\n`);
}
