/**
 * `hub systems list|pause|resume` (issue 24 item 8): pause delivery to one system for a maintenance
 * window. The pause is written to the store; every running hub reads it within a few seconds
 * (hub/health/plugin.ts) and stops delivering to that system, its messages waiting in the durable
 * step queues until `resume`.
 */
import type { Command } from 'commander';
import { OperatorRefusal } from '../dead-letters/service.js';
import { PAUSE_POLL_MS } from '../health/constants.js';
import { complain, describeError, exitCodes, say } from './output.js';
import { signInCli } from './trace.js';
import { openCliStore } from './users.js';

async function withService(
  command: string,
  work: (
    service: import('../health/pauses.js').PauseService,
    store: import('../store/types.js').Store,
  ) => Promise<number>,
): Promise<number> {
  const opened = await openCliStore(command);
  if (opened === undefined) return exitCodes.usage;
  const { config, store } = opened;
  try {
    const [{ loadKeyRing }, { createPauseService }, { connectorSinks }] = await Promise.all([
      import('../security/keys.js'),
      import('../health/pauses.js'),
      import('../nodered/context.js'),
    ]);
    const { keyRing } = loadKeyRing(config);
    const service = createPauseService({
      store,
      keyRing,
      systems: connectorSinks().map((sink) => sink.system),
    });
    return await work(service, store);
  } catch (error) {
    if (error instanceof OperatorRefusal) {
      complain(`hub ${command}: ${error.reason.en} / ${error.reason.ja}`);
      return error.status === 400 || error.status === 404 ? exitCodes.usage : exitCodes.failed;
    }
    complain(`hub ${command}: ${describeError(error)} / 失敗しました`);
    return exitCodes.failed;
  } finally {
    await store.close();
  }
}

const takesEffect = `running hubs follow within ${String(PAUSE_POLL_MS / 1000)} s / 稼働中のハブには ${String(PAUSE_POLL_MS / 1000)} 秒以内に反映されます`;

/** Registers `hub systems`. */
export function registerSystemsCommands(program: Command, setCode: (code: number) => void): void {
  const systems = program
    .command('systems')
    .summary('Systems: list|pause|resume delivery / 連携先の配送の一時停止・再開')
    .description(
      'Pause and resume delivery to one system (maintenance window); messages wait in the queues meanwhile.\n' +
        '連携先への配送を一時停止・再開する（保守時間帯）。停止中のメッセージはキューで待機する。',
    );
  systems
    .command('list')
    .summary('Systems and their pause state / 連携先と停止状態')
    .description(
      'List the systems and whether delivery is paused.\n連携先と配送停止の状態を表示する。',
    )
    .option('--json', 'JSON / JSON で出力', false)
    .action(async (options: { json: boolean }) => {
      setCode(
        await withService('systems list', async (service) => {
          const items = await service.list();
          if (options.json) say(JSON.stringify(items, null, 2));
          else
            for (const item of items)
              say(
                item.paused
                  ? `${item.system}\tpaused / 停止中\t${item.pausedAt ?? ''}\t${item.pausedBy ?? ''}\t${item.reason ?? ''}`
                  : `${item.system}\tdelivering / 配送中`,
              );
          return exitCodes.ok;
        }),
      );
    });
  systems
    .command('pause')
    .summary('Pause delivery to a system / 配送を一時停止')
    .description(
      'Pause delivery to SYSTEM (operator; needs --reason, recorded). Messages wait durably until resume.\n' +
        '連携先への配送を一時停止する（オペレーター。理由が必要で記録される）。再開までメッセージは失われずに待機する。',
    )
    .argument('<system>', 'system name / 連携先名')
    .requiredOption('--reason <text>', 'why (recorded) / 理由（記録される）')
    .option('--as <user>', 'sign in as this operator / オペレーターとして認証')
    .action(async (system: string, options: { reason: string; as?: string }) => {
      setCode(
        await withService('systems pause', async (service, store) => {
          const actor = await signInCli(store, 'systems pause', options.as);
          if (actor === undefined) return exitCodes.usage;
          const changed = await service.pause(system, actor, options.reason);
          say(
            changed
              ? `${system}: delivery paused; ${takesEffect} / 配送を一時停止しました`
              : `${system}: already paused / すでに停止中です`,
          );
          return exitCodes.ok;
        }),
      );
    });
  systems
    .command('resume')
    .summary('Resume delivery to a system / 配送を再開')
    .description(
      'Resume delivery to SYSTEM (operator): the messages that waited are delivered.\n' +
        '連携先への配送を再開する（オペレーター）。待機していたメッセージが配送される。',
    )
    .argument('<system>', 'system name / 連携先名')
    .option('--reason <text>', 'why (recorded) / 理由（記録される）')
    .option('--as <user>', 'sign in as this operator / オペレーターとして認証')
    .action(async (system: string, options: { reason?: string; as?: string }) => {
      setCode(
        await withService('systems resume', async (service, store) => {
          const actor = await signInCli(store, 'systems resume', options.as);
          if (actor === undefined) return exitCodes.usage;
          const changed = await service.resume(system, actor, options.reason);
          say(
            changed
              ? `${system}: delivery resumed; ${takesEffect} / 配送を再開しました`
              : `${system}: was not paused / 停止していません`,
          );
          return exitCodes.ok;
        }),
      );
    });
}
