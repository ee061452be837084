/**
 * `hub flows check [path...]`: the same lint + compile the editor's deploy runs, from the command
 * line (CI, a reviewer's checkout). Without paths it checks the configured flows directory
 * (HUB_FLOWS_DIR); a path may be a flows directory or one affair file (the systems file of the
 * configured directory is then added, so the deliver nodes resolve).
 *
 * `hub flows drain <queue>`: empties the queue of a step a deploy removed, without loss — to the
 * dead letters (with a reason, for an operator to replay or purge) or through the routes deployed
 * now: to each current step that takes the message's type and did not already have it (a step that
 * took the type before the retiring deploy got its own copy when the message was published).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { StepSpec } from '../engine/step.js';
import { checkFlows, systemsFile, type FlowNode } from '../nodered/flow-model.js';
import { lintContext } from '../nodered/context.js';
import { readFlowsDir } from '../nodered/flows-dir.js';
import { lintFlows, recipientsFrom } from '../nodered/routing.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { readTls } from '../config.js';
import { registerFlowsVersionCommands } from './flows-versions.js';
import { deadLetterHeaders } from '../dead-letters/headers.js';
import { HubError } from '../errors.js';
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
  const { steps, problems, warnings } = lintFlows(
    flows,
    lintContext(),
    recipientsFrom(schemaRegistry().list()),
  );
  // Warnings do not refuse a deploy; they are printed either way.
  for (const warning of warnings) say(`⚠ [${warning.route}] ${warning.en} / ${warning.ja}`);
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

/** Where `hub flows drain` moves the messages. */
export type DrainMode = 'dead-letters' | 'through-routes';

/** Headers of an earlier pass through the hub that must not follow a message into a new route. */
const passHeaders = ['x-hub-attempt', 'x-death', 'x-first-death-exchange', 'x-first-death-queue'];

/** `hub flows drain <queue>`: returns the exit code (0 emptied, 1 stopped or refused, 2 usage). */
export async function flowsDrainCli(name: string, mode: DrainMode): Promise<number> {
  const { openCliStore } = await import('./users.js');
  const opened = await openCliStore('flows drain');
  if (opened === undefined) return exitCodes.usage;
  const { config, store } = opened;
  const queue = name.startsWith('hub.step.') ? name : `hub.step.${name}`;
  const step = queue.slice('hub.step.'.length);
  let broker: import('../broker/index.js').Broker | undefined;
  try {
    const [{ flowDeploys }, routing, broker_] = await Promise.all([
      import('../store/flow-deploys.js'),
      import('../nodered/routing.js'),
      import('../broker/index.js'),
    ]);
    const deploys = flowDeploys(store);
    const retired = await deploys.retiredQueue(queue);
    if (retired === undefined) {
      complain(
        `hub flows drain: ${queue} is not the queue of a step a deploy removed; only retired queues are drained / ${queue} はデプロイで廃止したステップのキューではありません`,
      );
      return exitCodes.failed;
    }
    // The flows deployed now: a queue whose step runs again is live, and draining it would race
    // its consumer (or, through the routes, feed it its own messages).
    const context = lintContext();
    // The store's head is what every replica runs (issue 22); the directory only before any record.
    const head = await deploys.last();
    const running = routing.compileOrRefuse(
      head?.flowsJson == null
        ? routing.readDeployedFlows(config.flowsDir)
        : (JSON.parse(head.flowsJson) as FlowNode[]),
      context,
      routing.recipientsFrom(schemaRegistry().list()),
    ).steps;
    if (running.some((entry) => entry.name === step)) {
      complain(
        `hub flows drain: step ${step} runs in the deployed flows again; its queue is live / ステップ ${step} は現在のフローで稼働中です`,
      );
      return exitCodes.failed;
    }
    // Through the routes means to the steps that have not had the message: a step that took its
    // type before the retiring deploy got its own copy when it was published (as a dead-letter
    // replay goes back to the failed step only, never to every step bound to the type).
    let earlier: readonly StepSpec[] | undefined;
    if (mode === 'through-routes') {
      const json = retired.deployId === null ? null : await deploys.flowsBefore(retired.deployId);
      if (json === null) {
        complain(
          `hub flows drain: the flows before the deploy that retired ${queue} are not recorded, so the routes that already had its messages are unknown; use --to dead-letters / 廃止前のフローが記録されていないため --to dead-letters を使ってください`,
        );
        return exitCodes.failed;
      }
      earlier = checkFlows(JSON.parse(json) as FlowNode[], context).steps;
    }
    const targetsOf = (type: string): string[] =>
      running
        .filter((entry) => entry.input.includes(type))
        .filter(
          (entry) =>
            !(earlier ?? []).some(
              (before) => before.name === entry.name && before.input.includes(type),
            ),
        )
        .map((entry) => broker_.stepQueueName(entry.name));
    broker = broker_.createBroker({
      url: config.amqpUrl,
      name: 'hub-cli',
      tls: readTls(config.amqpTls),
    });
    await broker.start();
    const before = await broker.queueDepth(queue);
    if (before === undefined) {
      complain(`hub flows drain: queue ${queue} does not exist / キュー ${queue} は存在しません`);
      return exitCodes.failed;
    }
    const failedAt = new Date();
    const retiredError = new HubError(
      'HUB_STEP_RETIRED',
      `step ${step} was removed by a deploy`,
      'dead-letter',
      {
        reasonClass: 'unroutable',
        reason: {
          en: `its step ${step} was removed by a deploy; drained from the retired queue by an operator`,
          ja: `ステップ ${step} はデプロイで廃止されました（廃止キューから運用者が移しました）`,
        },
      },
    );
    const result = await broker.drain(queue, (message) => {
      const type = message.properties.type ?? message.routingKey;
      const kept = Object.fromEntries(
        Object.entries(message.headers).filter(([key]) => !passHeaders.includes(key)),
      );
      const properties = {
        messageId: message.properties.messageId ?? randomUUID(),
        type,
        correlationId: message.properties.correlationId,
        appId: message.properties.appId,
        timestamp: message.properties.timestamp,
      };
      if (mode === 'through-routes') {
        const [first, ...others] = targetsOf(type);
        if (first === undefined) {
          throw new Error(
            `no deployed step newly takes ${type} (the ones that take it already had it) / ${type} を新たに受けるステップがありません`,
          );
        }
        // Each step queue is bound to the retry-return exchange by its own name.
        return {
          exchange: broker_.RETRY_RETURN_EXCHANGE,
          routingKey: first,
          properties: { ...properties, headers: kept, cc: others },
        };
      }
      return {
        exchange: broker_.DLX_EXCHANGE,
        routingKey: type,
        properties: {
          ...properties,
          headers: deadLetterHeaders(
            {
              error: retiredError,
              originalExchange: broker_.EVENTS_EXCHANGE,
              originalRoutingKey: type,
              failedAt,
            },
            { ...kept, 'x-hub-original-queue': queue, 'x-hub-step': step, 'x-hub-source': 'cli' },
          ),
        },
      };
    });
    const left = (await broker.queueDepth(queue)) ?? 0;
    // Moving messages out of a queue is an operator action: on the chained log, with counts only.
    const [{ createOperatorLog }, os, { loadKeyRing }] = await Promise.all([
      import('../audit/operator-log.js'),
      import('node:os'),
      import('../security/keys.js'),
    ]);
    await createOperatorLog(store, loadKeyRing(config).keyRing).append({
      actor: `${os.userInfo().username}@${os.hostname()}`,
      role: 'operator',
      action: 'flows.drain',
      target: queue,
      reason: mode === 'dead-letters' ? 'to the dead letters' : 'through the deployed routes',
      detail: {
        moved: result.moved,
        left,
        stopped: result.stoppedBy !== undefined,
      },
    });
    const where =
      mode === 'dead-letters'
        ? 'to the dead letters / デッドレターへ'
        : 'back through the deployed routes / 現在の経路へ';
    say(
      `moved ${String(result.moved)} message(s) from ${queue} ${where}; ${String(left)} left / ${String(result.moved)} 件移動、残り ${String(left)} 件`,
    );
    if (result.stoppedBy !== undefined) {
      const why = describeError(result.stoppedBy);
      const hint =
        mode === 'through-routes' && /newly takes|unroutable|no queue/i.test(why)
          ? ' — use --to dead-letters / --to dead-letters を使ってください'
          : '';
      complain(
        `hub flows drain: stopped; the message that could not be moved is back in ${queue}: ${why}${hint} / 中断しました（移せなかったメッセージはキューに戻しました）`,
      );
      return exitCodes.failed;
    }
    return exitCodes.ok;
  } catch (error) {
    complain(`hub flows drain: ${describeError(error)} / 実行できませんでした`);
    return exitCodes.failed;
  } finally {
    await broker?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
  }
}

/** Registers `hub flows check` and `hub flows drain`. */
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
  registerFlowsVersionCommands(flows, setCode);
  flows
    .command('drain')
    .summary('Empty the queue of a removed step / 廃止したステップのキューを空にする')
    .description(
      'Move every message of a retired step queue (a step a deploy removed) to the dead letters\n' +
        '(default, with a reason) or through the deployed routes: to each step that takes its type\n' +
        'and did not have it before (the others already got their copy). One message at a time,\n' +
        'acked only after the broker confirmed it elsewhere: nothing is lost.\n' +
        '廃止したステップのキューのメッセージを、デッドレター（既定）または現在の経路（まだ受け取っていないステップ）へ移します。',
    )
    .argument(
      '<queue>',
      'the retired queue (hub.step.<step>) or step name / キュー名またはステップ名',
    )
    .option('--to <target>', 'dead-letters / デッドレターへ', 'dead-letters')
    .option(
      '--through-routes',
      'to the deployed steps that take the type and have not had it / 現在の経路へ',
    )
    .action(async (queue: string, options: { to: string; throughRoutes?: boolean }) => {
      if (options.throughRoutes !== true && options.to !== 'dead-letters') {
        complain(
          `hub flows drain: --to takes dead-letters (or use --through-routes) / --to には dead-letters を指定してください`,
        );
        setCode(exitCodes.usage);
        return;
      }
      setCode(
        await flowsDrainCli(
          queue,
          options.throughRoutes === true ? 'through-routes' : 'dead-letters',
        ),
      );
    });
}
