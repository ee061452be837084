/**
 * The `hub` command line (package bin: bin/hub.js). Every command has `--help`, bilingual descriptions,
 * errors a person can act on, and an exit code: 0 ok, 1 failed, 2 wrong configuration or usage,
 * 3 not built yet.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { configVariables } from '../config.js';
import { registerAuditCommands } from './audit.js';
import { doctorCommand } from './doctor.js';
import { registerFlowsCommands } from './flows.js';
import { registerDlqCommands } from './dlq.js';
import { registerSagaCommands } from './sagas.js';
import { migrateCli } from './migrate.js';
import { complain, describeError, exitCodes } from './output.js';
import { registerPlannedCommands } from './planned.js';
import { publishCli } from './publish.js';
import { schemasListCli, validateCli } from './schemas.js';
import { startCommand } from './start.js';
import { registerDemoCommand } from './demo.js';
import { registerSimulateCommand } from './simulate.js';
import { registerUserCommands } from './users.js';
import { registerKeyCommands } from './keys.js';
import { registerTraceCommand } from './trace.js';
import { registerSystemsCommands } from './systems.js';

const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version?: string };

/** The epilog of `hub --help`: every HUB_* variable with its default, and the exit codes. */
export function helpEpilog(): string {
  const width = Math.max(...configVariables.map((variable) => variable.name.length));
  const rows = configVariables.map(
    (variable) =>
      `  ${variable.name.padEnd(width)}  ${variable.meaning} (default / 既定: ${variable.default})`,
  );
  return [
    '',
    'Configuration (environment variables) / 設定（環境変数）:',
    ...rows,
    '',
    'Exit codes / 終了コード: 0 ok / 正常, 1 failed / 失敗, 2 wrong configuration or usage / 設定・使い方の誤り,',
    '  3 not built yet / 未実装',
  ].join('\n');
}

/** Gives a command a short bilingual summary (for lists) and a longer bilingual description. */
function describe(command: Command, summary: string, en: string, ja: string): Command {
  return command.summary(summary).description(`${en}\n${ja}`);
}

function positiveMs(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new InvalidArgumentError(
      'give a positive whole number of ms / 正の整数 (ms) を指定してください',
    );
  }
  return ms;
}

/** Builds the `hub` program. `setCode` receives each command's exit code; `null` means keep running. */
export function buildProgram(setCode: (code: number | null) => void): Command {
  const program = new Command('hub');
  program
    .description(
      "Integration hub for the city's resident register and My Number affairs\n" +
        '住民基本台帳・個人番号事務の連携ハブ',
    )
    .version(packageJson.version ?? '0.0.0', '-V, --version', 'print the version / バージョン')
    .helpOption('-h, --help', 'show help / ヘルプ')
    .helpCommand('help [command]', 'help for a command / コマンドのヘルプ')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage / 使い方は --help で表示)')
    .addHelpText('after', helpEpilog());

  describe(
    program.command('start'),
    'Start the hub / ハブを起動',
    'Start the hub: store (migrations), broker, engine routes, HTTP. Ctrl-C stops it gracefully.',
    'ハブを起動する（ストア・ブローカー・エンジン・HTTP）。Ctrl-C で正常に停止する。',
  ).action(async () => {
    setCode(await startCommand());
  });

  describe(
    program.command('bench'),
    'Benchmarks against their baselines / ベンチマーク',
    'Run the benchmarks (the same as npm run bench): each alternates the hub with its own baseline in one run and prints the ratio. Needs the local RabbitMQ.',
    'ベンチマークを実行する（npm run bench と同じ）。ハブと基準値を同じ実行内で交互に測り、比を表示する。',
  )
    .option('--quick', 'a short smoke run / 短い確認実行', false)
    .option(
      '--only <name>',
      'one benchmark: route-hop, start, kiosk, bulk, delivery-address, replicas / 1 つだけ実行',
    )
    .action(async (options: { quick: boolean; only?: string }) => {
      const { spawn } = await import('node:child_process');
      const { existsSync } = await import('node:fs');
      const { fileURLToPath } = await import('node:url');
      // The benchmarks are TypeScript beside the sources (run through tsx), whether this command
      // runs from the sources (hub/cli/) or from a build of the same checkout (dist/hub/cli/).
      const script = ['../../bench/run.ts', '../../../bench/run.ts']
        .map((path) => new URL(path, import.meta.url))
        .find((url) => existsSync(url));
      if (script === undefined) {
        process.stderr.write(
          'hub bench: the benchmarks come with a development checkout (bench/ and the development dependencies of npm install); this installation has none.\n' +
            'hub bench: ベンチマークは開発用のチェックアウト（bench/ と npm install の開発用依存関係）で実行してください。このインストールにはありません。\n',
        );
        setCode(2);
        return;
      }
      const args = ['--import', 'tsx', fileURLToPath(script)];
      if (options.quick) args.push('--quick');
      if (options.only !== undefined) args.push(`--only=${options.only}`);
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      const code = await new Promise<number>((resolve) => {
        child.once('exit', (exit) => {
          resolve(exit ?? 1);
        });
      });
      setCode(code);
    });

  describe(
    program.command('migrate'),
    'Apply database migrations / マイグレーション適用',
    'Apply pending migrations to the store named by HUB_DB_URL.',
    'HUB_DB_URL のデータベースに未適用のマイグレーションを適用する。',
  ).action(async () => {
    setCode(await migrateCli());
  });

  describe(
    program.command('doctor'),
    'Diagnose config, broker, store / 診断',
    'Check the configuration, broker, store, schemas and flows: one line per check.',
    '設定・ブローカー・ストア・スキーマ・フローを診断する（確認ごとに 1 行）。',
  )
    .option('--json', 'print the report as JSON / JSON で出力', false)
    .option('--timeout <ms>', 'time allowed per check / 確認ごとの制限時間', positiveMs, 3000)
    .action(async (options: { json: boolean; timeout: number }) => {
      setCode(await doctorCommand({ json: options.json, timeoutMs: options.timeout }));
    });

  describe(
    program.command('validate'),
    'Validate a message / メッセージ検証',
    'Validate a message (JSON) against the schema of its type.',
    'メッセージ（JSON）を種別のスキーマで検証する。',
  )
    .argument('<messageType>', 'e.g. resident.movement.recorded / メッセージ種別')
    .argument('[file]', 'JSON file; omit or "-" for stdin / ファイル（- で標準入力）')
    .action(async (messageType: string, file: string | undefined) => {
      setCode(await validateCli(messageType, file));
    });

  const schemas = describe(
    program.command('schemas'),
    'Message schemas / スキーマ',
    'Message schemas.',
    'メッセージのスキーマ。',
  );
  describe(
    schemas.command('list'),
    'List message types / 種別一覧',
    'List the message types the hub knows, with their schemas.',
    'ハブが扱うメッセージ種別とスキーマを一覧表示する。',
  ).action(async () => {
    setCode(await schemasListCli());
  });

  describe(
    program.command('publish'),
    'Publish messages from a file or stdin / メッセージ発行',
    'Publish messages (JSON, JSON array or JSON Lines; or a legacy export with --layout/--csv) to the hub. Exit 1 if any record was dead-lettered.',
    'ファイルまたは標準入力のメッセージを発行する（JSON・JSON 配列・JSON Lines、--layout/--csv で既存システムの出力ファイル）。デッドレターがあれば終了コード 1。',
  )
    .argument('<messageType>', 'e.g. resident.movement.recorded / メッセージ種別')
    .argument('<file>', 'input file, or "-" for stdin / 入力ファイル（- で標準入力）')
    .option('--csv', 'the input is the CSV export of the type / CSV 形式の出力ファイル')
    .option('--layout <name>', 'a file layout, e.g. kizon-movement-fixed / ファイル様式名')
    .option('--system <id>', 'sending system (app_id) / 送信元システム')
    .option('--no-progress', 'no progress bar / 進捗表示なし')
    .action(
      async (
        messageType: string,
        file: string,
        options: { csv?: boolean; layout?: string; system?: string; progress: boolean },
      ) => {
        setCode(
          await publishCli(messageType, file, {
            ...(options.csv === true ? { csv: true } : {}),
            ...(options.layout === undefined ? {} : { layout: options.layout }),
            ...(options.system === undefined ? {} : { system: options.system }),
            ...(options.progress ? {} : { progress: false }),
          }),
        );
      },
    );

  registerDlqCommands(program, setCode);
  registerSagaCommands(program, setCode);
  registerAuditCommands(program, setCode);
  registerUserCommands(program, setCode);
  registerFlowsCommands(program, setCode);
  registerKeyCommands(program, setCode);
  registerTraceCommand(program, setCode);
  registerSystemsCommands(program, setCode);
  registerSimulateCommand(program, setCode);
  registerDemoCommand(program, setCode);
  registerPlannedCommands(program, setCode);
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code, or null to keep running. */
export async function run(argv: readonly string[]): Promise<number | null> {
  const result: { code: number | null } = { code: exitCodes.ok };
  const program = buildProgram((code) => {
    result.code = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage mistake (unknown command, missing argument) exits 2.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    complain(`hub: unexpected error: ${describeError(error)} / 予期しないエラー`);
    return exitCodes.failed;
  }
  return result.code;
}
