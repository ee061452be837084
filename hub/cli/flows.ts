/**
 * `hub flows check [path...]`: the same lint + compile the editor's deploy runs, from the command
 * line (CI, a reviewer's checkout). Without paths it checks the configured flows directory
 * (HUB_FLOWS_DIR); a path may be a flows directory or one affair file (the systems file of the
 * configured directory is then added, so the deliver nodes resolve).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { checkFlows, systemsFile, type FlowNode } from '../nodered/flow-model.js';
import { lintContext } from '../nodered/context.js';
import { readFlowsDir } from '../nodered/flows-dir.js';
import {
  complain,
  configOrComplain,
  describeError,
  exitCodes,
  oneShotLogging,
  say,
} from './output.js';

function readPath(path: string): FlowNode[] {
  if (statSync(path).isDirectory()) return readFlowsDir(path);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${path}: not a JSON array of flow nodes`);
  return parsed as FlowNode[];
}

/** Runs the lint; returns the exit code (0 clean, 1 refused, 2 configuration or unreadable file). */
export function flowsCheckCli(paths: readonly string[]): number {
  const config = configOrComplain();
  oneShotLogging(config);
  if (config === undefined) return exitCodes.usage;
  let flows: FlowNode[];
  try {
    if (paths.length === 0) {
      flows = readFlowsDir(config.flowsDir);
    } else {
      flows = paths.flatMap(readPath);
      const systems = join(config.flowsDir, systemsFile);
      if (!flows.some((node) => node.type === 'hub-system') && existsSync(systems)) {
        flows.push(...readPath(systems));
      }
    }
  } catch (error) {
    complain(
      `hub flows check: cannot read the flows: ${describeError(error)} / フローを読めません`,
    );
    return exitCodes.usage;
  }
  const { steps, problems } = checkFlows(flows, lintContext());
  if (problems.length > 0) {
    for (const problem of problems) say(`✘ [${problem.route}] ${problem.en} / ${problem.ja}`);
    complain(
      `hub flows check: ${String(problems.length)} problem(s); a deploy would be refused / ${String(problems.length)} 件の問題（デプロイは拒否されます）`,
    );
    return exitCodes.failed;
  }
  const tabs = flows.filter((node) => node.type === 'tab').length;
  say(
    `✔ ${String(tabs)} affair tab(s), ${String(steps.length)} engine step(s) / 事務タブ ${String(tabs)}・ステップ ${String(steps.length)}`,
  );
  return exitCodes.ok;
}

/** Registers `hub flows check`. */
export function registerFlowsCommands(program: Command, setCode: (code: number) => void): void {
  const flows = program
    .command('flows')
    .summary('Node-RED flows / Node-RED フロー')
    .description(
      'Node-RED flows: the routing the engine runs\nNode-RED フロー（エンジンが実行する経路）',
    );
  flows
    .command('check')
    .summary('Lint the Node-RED flows / フロー検査')
    .description(
      'Lint and compile the flows exactly as a deploy does; exit 1 with the reasons when refused.\n' +
        'デプロイと同じ検査・変換を行い、拒否される場合は理由を示して終了コード 1。',
    )
    .argument(
      '[path...]',
      'flows directory or affair files (default HUB_FLOWS_DIR) / フローのディレクトリまたはファイル',
    )
    .action((paths: string[]) => {
      setCode(flowsCheckCli(paths));
    });
}
