/**
 * The flows versions the store holds (issue 22): `hub flows history`, `hub flows export [dir]`,
 * `hub flows import [dir]`, `hub flows rollback <version>`. The store holds the flows every replica
 * runs; `flows/` is their git-friendly copy. An import or a rollback is a deploy (linted, recorded
 * with the version it was made on, so a deploy recorded meanwhile makes it a conflict) announced on
 * the control exchange; running replicas switch to it, and a replica that misses the announcement
 * catches up at its next version check.
 */
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { readTls, type HubConfig } from '../config.js';
import type { FlowNode } from '../nodered/flow-model.js';
import type { Store } from '../store/types.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { complain, describeError, exitCodes, say } from './output.js';

function cliActor(): string {
  return `hub flows (${userInfo().username}@${hostname()})`;
}

async function withStore(
  command: string,
  work: (config: HubConfig, store: Store) => Promise<number>,
): Promise<number> {
  const { openCliStore } = await import('./users.js');
  const opened = await openCliStore(command);
  if (opened === undefined) return exitCodes.usage;
  try {
    return await work(opened.config, opened.store);
  } catch (error) {
    complain(`hub ${command}: ${describeError(error)} / 実行できませんでした`);
    return exitCodes.failed;
  } finally {
    await opened.store.close().catch(() => undefined);
  }
}

/** Tells running replicas; not reaching the broker is only a delay (they check the version). */
async function announce(config: HubConfig, version: number): Promise<void> {
  const { createBroker } = await import('../broker/index.js');
  const broker = createBroker({
    url: config.amqpUrl,
    name: 'hub-cli',
    tls: readTls(config.amqpTls),
  });
  try {
    await broker.start();
    await broker.announce({ kind: 'flows.deployed', version, replica: 'cli' });
  } catch (error) {
    say(
      `note: could not announce version ${String(version)} on the broker (${describeError(error)}); running replicas switch at their next version check / ブローカーに通知できませんでした（各レプリカは次の確認時に切り替えます）`,
    );
  } finally {
    await broker.close().catch(() => undefined);
  }
}

/** Lints, records on `base` (the head when omitted), announces; returns the exit code. */
async function deployFromCli(
  config: HubConfig,
  store: Store,
  flows: FlowNode[],
  actor: string,
  command: string,
  baseVersion: number | undefined,
): Promise<number> {
  const [routing, { lintContext }, { flowDeploys, FlowsConflictError }, { checkFlows }, engine] =
    await Promise.all([
      import('../nodered/routing.js'),
      import('../nodered/context.js'),
      import('../store/flow-deploys.js'),
      import('../nodered/flow-model.js'),
      import('../engine/engine.js'),
    ]);
  const context = lintContext();
  let steps;
  try {
    steps = routing.compileOrRefuse(
      flows,
      context,
      routing.recipientsFrom(schemaRegistry().list()),
    ).steps;
  } catch (error) {
    complain(`hub ${command}: ${describeError(error)}`);
    return exitCodes.failed;
  }
  const deploys = flowDeploys(store);
  const head = await deploys.last();
  const previous: FlowNode[] =
    head?.flowsJson == null ? [] : (JSON.parse(head.flowsJson) as FlowNode[]);
  const { summary, diffJson } = routing.describeDeploy(previous, flows);
  let version: number;
  try {
    version = await deploys.record({
      actor,
      summary,
      diffJson,
      flowsSha256: routing.flowsDigest(flows),
      flowsJson: JSON.stringify(flows),
      retiredQueues: engine.retiredQueuesOf(checkFlows(previous, context).steps, steps),
      baseVersion: baseVersion ?? head?.id ?? 0,
    });
  } catch (error) {
    if (error instanceof FlowsConflictError) {
      complain(`hub ${command}: ${error.message}`);
      return exitCodes.failed;
    }
    throw error;
  }
  await announce(config, version);
  say(
    `✔ version ${String(version)} recorded (${summary}); every replica runs it / バージョン ${String(version)} を記録しました（全レプリカが実行します）`,
  );
  return exitCodes.ok;
}

export function flowsHistoryCli(options: { limit: number; json: boolean }): Promise<number> {
  return withStore('flows history', async (_config, store) => {
    const { flowDeploys } = await import('../store/flow-deploys.js');
    const rows = await flowDeploys(store).history(options.limit);
    if (options.json) {
      say(JSON.stringify(rows.map((row) => ({ ...row, at: row.at.toISOString() }))));
      return exitCodes.ok;
    }
    if (rows.length === 0) say('no flows recorded yet / フローの記録はまだありません');
    for (const [index, row] of rows.entries()) {
      say(
        `${index === 0 ? '*' : ' '} ${String(row.version).padStart(5)}  ${row.at.toISOString()}  ${row.actor}  ${row.summary}`,
      );
    }
    return exitCodes.ok;
  });
}

export function flowsExportCli(
  dir: string | undefined,
  options: { version?: number },
): Promise<number> {
  return withStore('flows export', async (config, store) => {
    const [{ flowDeploys }, { writeFlowsDir }] = await Promise.all([
      import('../store/flow-deploys.js'),
      import('../nodered/flows-dir.js'),
    ]);
    const deploys = flowDeploys(store);
    const head = await deploys.last();
    const version = options.version ?? head?.id;
    const row = version === undefined ? undefined : await deploys.flowsOf(version);
    if (version === undefined || row?.flowsJson == null) {
      complain(
        `hub flows export: ${version === undefined ? 'the store holds no flows yet' : `no flows version ${String(version)}`} / 書き出すフローがありません`,
      );
      return exitCodes.failed;
    }
    const target = dir ?? config.flowsDir;
    writeFlowsDir(target, JSON.parse(row.flowsJson) as FlowNode[]);
    say(
      `✔ version ${String(version)} written to ${target} / バージョン ${String(version)} を書き出しました`,
    );
    return exitCodes.ok;
  });
}

export function flowsImportCli(
  dir: string | undefined,
  options: { base?: number },
): Promise<number> {
  return withStore('flows import', async (config, store) => {
    const { readFlowsDir } = await import('../nodered/flows-dir.js');
    const source = dir ?? config.flowsDir;
    let flows: FlowNode[];
    try {
      flows = readFlowsDir(source);
    } catch (error) {
      complain(
        `hub flows import: cannot read ${source}: ${describeError(error)} / フローを読めません`,
      );
      return exitCodes.usage;
    }
    return deployFromCli(config, store, flows, cliActor(), 'flows import', options.base);
  });
}

export function flowsRollbackCli(version: number, options: { base?: number }): Promise<number> {
  return withStore('flows rollback', async (config, store) => {
    const { flowDeploys } = await import('../store/flow-deploys.js');
    const row = await flowDeploys(store).flowsOf(version);
    if (row?.flowsJson == null) {
      complain(
        `hub flows rollback: no flows version ${String(version)} (see hub flows history) / フローのバージョン ${String(version)} はありません`,
      );
      return exitCodes.failed;
    }
    return deployFromCli(
      config,
      store,
      JSON.parse(row.flowsJson) as FlowNode[],
      `${cliActor()} (rollback to ${String(version)})`,
      'flows rollback',
      options.base,
    );
  });
}

function versionArgument(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new Error(`not a version number: ${value}`);
  return Number(value);
}

/** Registers history, export, import and rollback under `hub flows`. */
export function registerFlowsVersionCommands(
  flows: Command,
  setCode: (code: number) => void,
): void {
  flows
    .command('history')
    .summary('Flows versions in the store / フローの版の履歴')
    .description(
      'The flows versions the store holds, newest first (* = the one every replica runs).\n' +
        'ストアにあるフローの版（新しい順、* は全レプリカが実行中の版）。',
    )
    .option('--limit <n>', 'how many / 件数', (value) => versionArgument(value), 20)
    .option('--json', 'JSON / JSON で出力', false)
    .action(async (options: { limit: number; json: boolean }) => {
      setCode(await flowsHistoryCli(options));
    });
  flows
    .command('export')
    .summary('Write the stored flows to a directory / ストアのフローを書き出す')
    .description(
      'Write the flows version every replica runs (or --version) as flow files, for git.\n' +
        '全レプリカが実行中の版（または --version）をフローファイルとして書き出します（git 用）。',
    )
    .argument('[dir]', 'target directory (default HUB_FLOWS_DIR) / 書き出し先')
    .option('--version <n>', 'an earlier version / 以前の版', versionArgument)
    .action(async (dir: string | undefined, options: { version?: number }) => {
      setCode(await flowsExportCli(dir, options));
    });
  flows
    .command('import')
    .summary('Deploy flow files to every replica / フローファイルを全レプリカにデプロイ')
    .description(
      'Lint the flow files and record them as a new version; every replica runs it. Refused when\n' +
        'another deploy was recorded after --base (default: the current version).\n' +
        'フローファイルを検査して新しい版として記録し、全レプリカで実行します。',
    )
    .argument('[dir]', 'flows directory (default HUB_FLOWS_DIR) / フローのディレクトリ')
    .option('--base <n>', 'the version these files were made from / 元にした版', versionArgument)
    .action(async (dir: string | undefined, options: { base?: number }) => {
      setCode(await flowsImportCli(dir, options));
    });
  flows
    .command('rollback')
    .summary('Deploy an earlier flows version again / 以前の版に戻す')
    .description(
      'Record the flows of an earlier version as a new version; every replica runs it.\n' +
        '以前の版のフローを新しい版として記録し、全レプリカで実行します。',
    )
    .argument(
      '<version>',
      'the version to go back to (hub flows history) / 戻す版',
      versionArgument,
    )
    .option(
      '--base <n>',
      'refuse if the current version is not this / 現在の版の確認',
      versionArgument,
    )
    .action(async (version: number, options: { base?: number }) => {
      setCode(await flowsRollbackCli(version, options));
    });
}
