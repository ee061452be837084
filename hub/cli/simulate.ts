/**
 * `hub simulate [system…]`: runs the external-system simulators on their own, against a hub started
 * elsewhere (`HUB_SIMULATORS=off hub start`). What the simulated systems originate is published on
 * the hub's broker (`HUB_AMQP_URL`); what the hub delivers reaches them on their ports.
 */
import type { Command } from 'commander';
import type { SimSystem } from '../../connectors/runtime/systems.js';
import { createBroker } from '../broker/index.js';
import { configureLogger } from '../logger.js';
import { complain, configOrComplain, describeError, exitCodes, say } from './output.js';

/** Runs the simulators until SIGINT/SIGTERM; resolves with an exit code on failure, else null. */
export async function simulateCommand(names: readonly string[]): Promise<number | null> {
  const config = configOrComplain();
  if (config === undefined) return exitCodes.usage;
  configureLogger({ level: config.logLevel, destination: process.stderr });
  const connectors = await import('../../connectors/index.js');
  const systems: SimSystem[] = [];
  for (const name of names) {
    const system = connectors.parseSimSystem(name);
    if (system === undefined) {
      complain(
        `hub simulate: unknown system ${name}; known: ${connectors.simSystems.join(', ')}` +
          ` / 不明なシステムです`,
      );
      return exitCodes.usage;
    }
    systems.push(system);
  }
  const broker = createBroker({ url: config.amqpUrl, name: 'hub-simulators' });
  try {
    await broker.start();
  } catch (error) {
    complain(
      `hub simulate: broker unreachable: ${describeError(error)} / ブローカーに接続できません`,
    );
    return exitCodes.failed;
  }
  let set;
  try {
    set = await connectors.startSimulators({
      ingress: connectors.createIngress(() => broker.publisher),
      exchangeDir: connectors.exchangeDirOf(config),
      ...(systems.length > 0 ? { systems } : {}),
    });
  } catch (error) {
    await broker.close().catch(() => undefined);
    complain(
      `hub simulate: could not start: ${describeError(error)} (a port in use? another hub with simulators?)` +
        ` / シミュレータを起動できません（ポート使用中？）`,
    );
    return exitCodes.failed;
  }
  for (const [system, sim] of set.simulators) {
    const { name } = connectors.descriptorOf(system);
    say(
      `${system.padEnd(20)} ${sim.url()}  ${name.ja} / ${name.en}  (GET /received · POST /control)`,
    );
  }
  say('simulators running; Ctrl-C stops them / シミュレータ実行中（Ctrl-C で停止）');
  const running = set;
  const stop = () => {
    // Caught: a simulator that fails to stop must not end the process as an unhandled rejection.
    (async () => {
      await running.stop();
      await broker.close().catch(() => undefined);
      process.exit(exitCodes.ok);
    })().catch((error: unknown) => {
      complain(`hub simulate: stopping failed: ${describeError(error)} / 停止に失敗しました`);
      process.exit(exitCodes.failed);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return null;
}

/** Registers `hub simulate`. */
export function registerSimulateCommand(
  program: Command,
  setCode: (code: number | null) => void,
): void {
  program
    .command('simulate')
    .summary('Start external-system simulators / シミュレータ起動')
    .description(
      'Start the simulators of the external systems (all by default) and print their ports.\n' +
        '外部システムのシミュレータを起動し、ポートを表示する（既定はすべて）。',
    )
    .argument('[system...]', 'e.g. jukinet-cs kizon-juki / システム名')
    .action(async (names: string[]) => {
      setCode(await simulateCommand(names));
    });
}
