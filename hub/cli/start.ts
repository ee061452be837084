import { createRequire } from 'node:module';
import { configureLogger, loggerFor } from '../logger.js';
import { ConfigError } from '../errors.js';
import { complain, configErrorLine, configOrComplain, describeError, exitCodes } from './output.js';

/** The URLs a newcomer opens once the hub is up, for the host it is bound to. */
export function hubUrls(
  host: string,
  port: number,
): { editor: string; metrics: string; readyz: string } {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const base = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  return { editor: `${base}/editor`, metrics: `${base}/metrics`, readyz: `${base}/readyz` };
}

/**
 * What the start log names: this Node.js, the Node-RED the editor runs, and whether this is the
 * compiled JavaScript of `npm run build` (dist) or the TypeScript sources run through tsx.
 */
export function runtimeVersions(): { node: string; nodeRed: string; code: 'dist' | 'typescript' } {
  const nodeRed = createRequire(import.meta.url)('node-red/package.json') as { version: string };
  return {
    node: process.version,
    nodeRed: nodeRed.version,
    code: import.meta.url.endsWith('.ts') ? 'typescript' : 'dist',
  };
}

/**
 * `hub start`: loads the configuration, starts the hub and stops it gracefully on SIGINT/SIGTERM (a
 * second signal forces the exit). Resolves with an exit code if start-up fails, or null once running.
 */
export async function startCommand(): Promise<number | null> {
  const config = configOrComplain();
  if (config === undefined) return exitCodes.usage;
  configureLogger({ level: config.logLevel });
  const log = loggerFor('cli');
  let hub;
  try {
    // Imported here, not at the top, so `hub --help` and the other commands do not load the engine.
    const { startHub } = await import('../main.js');
    hub = await startHub(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      complain(configErrorLine(error));
      return exitCodes.usage;
    }
    complain(
      `hub: could not start: ${describeError(error)} — run \`hub doctor\` for a full report` +
        ` / 起動できませんでした。詳しくは hub doctor を実行してください`,
    );
    return exitCodes.failed;
  }
  const running = hub;
  const urls = hubUrls(config.httpHost, running.httpPort);
  const versions = runtimeVersions();
  log.info(
    { ...urls, ...versions },
    `hub started / ハブを起動しました: ready ${urls.readyz} · metrics ${urls.metrics}` +
      ` · Node.js ${versions.node} · Node-RED ${versions.nodeRed} (${versions.code})`,
  );
  log.info(`editor / エディタ: ${urls.editor} (Node-RED, issue 5 / 課題 5)`);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(
        { signal },
        'second signal: exiting without finishing / 2 回目のシグナル: 強制終了します',
      );
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    stopping = true;
    log.info(
      { signal },
      'stopping: finishing in-flight messages / 停止中: 処理中のメッセージを完了します',
    );
    running.stop().then(
      () => {
        log.info('stopped / 停止しました');
        process.exit(exitCodes.ok);
      },
      (error: unknown) => {
        log.error({ err: error }, 'stop failed / 停止に失敗しました');
        process.exit(exitCodes.failed);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return null;
}
