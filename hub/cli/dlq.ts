/**
 * `hub dlq list|show|replay|purge`: the operator's dead-letter commands on the configured store (and
 * broker, for a replay). Reading is masked and needs no sign-in (whoever runs the CLI already holds
 * the store's URL); unmasking, replaying and purging act as a named operator (`--as <user>`, password
 * from HUB_OPERATOR_PASSWORD or a hidden prompt) and are written to the operator log.
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { HubError } from '../errors.js';
import { storeCredentials } from '../http/auth.js';
import type { Broker } from '../broker/index.js';
import type { HubConfig } from '../config.js';
import { purgeDropArchives } from '../ingest/file-drop.js';
import type { Store } from '../store/types.js';
import { reasonClasses, type DeadLetterFilter } from '../store/dead-letters.js';
import { fileOriginOf, groupByMessage, summaryOf } from '../dead-letters/view.js';
import type { Actor, ReplayDeps, ReplayReport } from '../dead-letters/replay.js';
import type { MessageCatalogue, StepSpec } from '../engine/step.js';
import {
  createDeadLetterService,
  OperatorRefusal,
  type DeadLetterService,
} from '../dead-letters/service.js';
import { complain, describeError, exitCodes, say } from './output.js';
import { openCliStore, promptHidden } from './users.js';

/** Parses `90d`, `24h`, `30m`, `2w` (or plain seconds `3600s`) into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    match[2] as 's' | 'm' | 'h' | 'd' | 'w'
  ];
  return Number(match[1]) * unit;
}

/** A point in time: an ISO date, or a duration back from now (`24h` = 24 hours ago). */
function timeArgument(value: string): Date {
  const ms = parseDuration(value);
  const date = ms === undefined ? new Date(value) : new Date(Date.now() - ms);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      'an ISO date (2026-11-28T09:00:00+09:00) or a duration back from now (24h, 7d) / 日時または期間',
    );
  }
  return date;
}

function durationArgument(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InvalidArgumentError('a duration such as 90d, 12h / 期間（90d など）');
  return ms;
}

/** `N/s` or `N`: messages per second. */
function rateArgument(value: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(?:\/s)?$/.exec(value.trim());
  const rate = match === null ? Number.NaN : Number(match[1]);
  if (!(rate > 0))
    throw new InvalidArgumentError('messages per second, e.g. 10/s / 毎秒の件数（10/s など）');
  return rate;
}

function idArgument(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0)
    throw new InvalidArgumentError('a dead-letter id / デッドレター ID');
  return id;
}

function reasonClassArgument(value: string): string {
  if (!(reasonClasses as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${reasonClasses.join(', ')}`);
  }
  return value;
}

interface FilterOptions {
  route?: string | undefined;
  step?: string | undefined;
  type?: string | undefined;
  reasonClass?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  correlationId?: string | undefined;
  source?: string | undefined;
  status?: string | undefined;
  limit?: number | undefined;
}

/**
 * The filter options. `list` takes the reason class as `--reason` (what an operator filters by); the
 * commands that act take it as `--reason-class`, because there `--reason` is the recorded why.
 */
function addFilterOptions(command: Command, reasonFlag = '--reason-class <class>'): Command {
  return command
    .option('--route <route>', 'route (affair), e.g. affair-1 / 経路')
    .option('--step <step>', 'route step / ステップ')
    .option('--type <messageType>', 'message type / 電文種別')
    .option(reasonFlag, `${reasonClasses.join('|')} / 理由区分`, reasonClassArgument)
    .option(
      '--since <time>',
      'dead-lettered at or after (ISO date or 24h, 7d) / 以降',
      timeArgument,
    )
    .option('--until <time>', 'dead-lettered before (ISO date or 24h, 7d) / より前', timeArgument)
    .option('--correlation-id <id>', 'correlation id / 相関 ID')
    .option('--source <system>', 'sending system (app_id) / 送信元システム')
    .option('--status <status>', 'open|replayed|purged|all (default open and replayed) / 状態');
}

function filterOf(options: FilterOptions): DeadLetterFilter {
  const status = options.status;
  if (status !== undefined && !['open', 'replayed', 'purged', 'all'].includes(status)) {
    throw new OperatorRefusal(
      400,
      'status must be open, replayed, purged or all',
      'status は open、replayed、purged、all のいずれかです',
    );
  }
  return {
    route: options.route,
    step: options.step,
    messageType: options.type,
    reasonClass: options.reasonClass,
    since: options.since,
    until: options.until,
    correlationId: options.correlationId,
    sourceSystem: options.source,
    status: status as DeadLetterFilter['status'],
    limit: options.limit,
  };
}

function hasFilter(options: FilterOptions): boolean {
  return [
    options.route,
    options.step,
    options.type,
    options.reasonClass,
    options.since,
    options.until,
    options.correlationId,
    options.source,
  ].some((value) => value !== undefined);
}

interface Session {
  readonly config: HubConfig;
  readonly store: Store;
  readonly service: DeadLetterService;
  broker?: Broker;
}

/** A catalogue that knows nothing: list, show and purge never validate, and loading the real one costs seconds. */
const noCatalogue: MessageCatalogue = {
  has: () => false,
  validate: () => ({ issues: [] }),
  carriesMyNumber: () => true,
};

async function openSession(
  command: string,
  needs: { broker: boolean; catalogue: boolean },
): Promise<Session | number> {
  const opened = await openCliStore(command);
  if (opened === undefined) return exitCodes.usage;
  const { config, store } = opened;
  try {
    const { loadKeyRing } = await import('../security/keys.js');
    const { keyRing } = loadKeyRing(config);
    let catalogue = noCatalogue;
    let pipeline: ReplayDeps['pipeline'];
    let steps: readonly StepSpec[] = [];
    if (needs.catalogue) {
      const [registry, transformerModule, { connectorSinks }] = await Promise.all([
        import('../../schemas/registry.js'),
        import('../../transformers/index.js'),
        import('../nodered/context.js'),
      ]);
      catalogue = registry.schemaRegistry();
      // The pipeline `hub start` runs the steps with: the same transformers, the connectors'
      // 個人番号 permissions and the configured 地方公共団体コード.
      pipeline = {
        catalogue,
        transformers: transformerModule.transformers,
        sinks: new Map(connectorSinks().map((sink) => [sink.system, sink])),
        lgCode: config.lgCode,
      };
      steps = await routeSteps(config);
    }
    let broker: Broker | undefined;
    if (needs.broker) {
      const { createBroker } = await import('../broker/index.js');
      broker = createBroker({ url: config.amqpUrl, name: 'hub-cli' });
      await broker.start();
    }
    const service = createDeadLetterService({
      store: store,
      keyRing,
      replay: {
        publisher: broker?.publisher,
        catalogue,
        pipeline,
        steps: () => steps,
      },
    });
    return { config, store, service, ...(broker === undefined ? {} : { broker }) };
  } catch (error) {
    await store.close();
    complain(`hub ${command}: ${describeError(error)} / 開始できませんでした`);
    return error instanceof HubError && error.code === 'HUB_CONFIG_INVALID'
      ? exitCodes.usage
      : exitCodes.failed;
  }
}

/**
 * The steps the hub runs, as `hub start` compiles them from the flows directory: the dry run
 * transforms with the failed step's transformer, and `--to <route>` finds the route's step. Flows
 * that do not compile stop the command with the reasons (the hub would not start with them either).
 */
export async function routeSteps(config: HubConfig): Promise<readonly StepSpec[]> {
  const [{ compileOrRefuse, readDeployedFlows, recipientsFrom }, { lintContext }, registry] =
    await Promise.all([
      import('../nodered/routing.js'),
      import('../nodered/context.js'),
      import('../../schemas/registry.js'),
    ]);
  return compileOrRefuse(
    readDeployedFlows(config.flowsDir),
    lintContext(),
    recipientsFrom(registry.schemaRegistry().list()),
  ).steps;
}

async function closeSession(session: Session): Promise<void> {
  await session.broker?.close().catch(() => undefined);
  await session.store.close();
}

/** Signs in `--as <user>` (password from HUB_OPERATOR_PASSWORD or a prompt); undefined after saying why not. */
async function signIn(
  session: Session,
  command: string,
  user: string | undefined,
): Promise<Actor | undefined> {
  if (user === undefined) {
    complain(
      `hub ${command}: this is an operator action: sign in with --as <user> (password from HUB_OPERATOR_PASSWORD or the prompt)` +
        ' / 運用操作です。--as <利用者> で認証してください',
    );
    return undefined;
  }
  const password =
    process.env['HUB_OPERATOR_PASSWORD'] ??
    (await promptHidden(`Password for ${user} / ${user} のパスワード: `));
  if (password === undefined) {
    complain(
      `hub ${command}: no password (set HUB_OPERATOR_PASSWORD or run on a terminal) / パスワードがありません`,
    );
    return undefined;
  }
  const verified = await storeCredentials(session.store).verifyUser(user, password);
  if (verified === undefined) {
    complain(`hub ${command}: sign-in failed for ${user} / ${user} として認証できませんでした`);
    return undefined;
  }
  return { name: verified.username, role: verified.role };
}

function refusalCode(error: unknown): number | undefined {
  if (error instanceof OperatorRefusal) {
    complain(`refused: ${error.reason.en} / 拒否: ${error.reason.ja}`);
    return error.status === 400 ? exitCodes.usage : exitCodes.failed;
  }
  if (error instanceof HubError && error.code === 'HUB_REPLAY_REFUSED') {
    complain(`refused: ${error.reason.en} / 拒否: ${error.reason.ja}`);
    return exitCodes.usage;
  }
  return undefined;
}

async function inSession(
  command: string,
  needs: { broker: boolean; catalogue: boolean },
  work: (session: Session) => Promise<number>,
): Promise<number> {
  const session = await openSession(command, needs);
  if (typeof session === 'number') return session;
  try {
    return await work(session);
  } catch (error) {
    const code = refusalCode(error);
    if (code !== undefined) return code;
    complain(`hub ${command}: ${describeError(error)} / 失敗しました`);
    return exitCodes.failed;
  } finally {
    await closeSession(session);
  }
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** `hub dlq list`. */
export function dlqListCli(options: FilterOptions & { json: boolean }): Promise<number> {
  return inSession('dlq list', { broker: false, catalogue: false }, async ({ service }) => {
    const letters = await service.list(filterOf(options));
    if (options.json) {
      for (const letter of letters) say(JSON.stringify(summaryOf(letter)));
      return exitCodes.ok;
    }
    // One row per message: a bad message refused by every step bound to its type is one problem,
    // its letters (ids) and steps listed together (`--json` keeps one line per letter).
    const groups = groupByMessage(letters);
    const rows = groups.map((group) => {
      const summaries = group.letters.map(summaryOf);
      const first = group.letters[0];
      const s = summaries[0] ?? {};
      const cell = (value: unknown) => (typeof value === 'string' ? value : '-');
      const distinct = (values: readonly string[]) => [...new Set(values)].join(',');
      return [
        group.letters.map((letter) => String(letter.id)).join(','),
        first?.deadLetteredAt.toISOString() ?? '-',
        distinct(summaries.map((summary) => cell(summary['route']))),
        distinct(summaries.map((summary) => cell(summary['step']))),
        cell(s['messageType']),
        distinct(group.letters.map((letter) => letter.reasonClass)),
        String(Math.max(...group.letters.map((letter) => letter.attempts))),
        distinct(
          group.letters.map((letter) =>
            letter.unreadable === null ? letter.status : `${letter.status},unreadable`,
          ),
        ),
        cell(s['sourceSystem']),
        String(s['reasonEn']).slice(0, 80),
      ];
    });
    const header = [
      'IDS',
      'DEAD-LETTERED',
      'ROUTE',
      'STEPS',
      'TYPE',
      'REASON',
      'ATT',
      'STATUS',
      'SOURCE',
      'WHY',
    ];
    for (const line of table([header, ...rows])) say(line);
    say(
      `${String(letters.length)} dead letter(s) of ${String(groups.length)} message(s) / ${String(groups.length)} 件のメッセージ（デッドレター ${String(letters.length)} 件）`,
    );
    return exitCodes.ok;
  });
}

/** `hub dlq show <id>`. */
export function dlqShowCli(
  id: number,
  options: { unmask: boolean; reason?: string; as?: string; json: boolean },
): Promise<number> {
  return inSession('dlq show', { broker: false, catalogue: false }, async (session) => {
    let actor: Actor | undefined;
    if (options.unmask) {
      // The reason is checked before the password is asked: a refused request costs nothing.
      if ((options.reason?.trim() ?? '').length < 4) {
        await session.service.show(id, { unmask: true, reason: options.reason });
      }
      actor = await signIn(session, 'dlq show', options.as);
      if (actor === undefined) return exitCodes.failed;
    }
    const view = await session.service.show(id, {
      actor,
      unmask: options.unmask,
      reason: options.reason,
    });
    if (options.json) {
      say(JSON.stringify(view, null, 2));
      return exitCodes.ok;
    }
    const l = view.letter;
    const lines: [string, string][] = [
      ['id', String(l.id)],
      ['status / 状態', `${l.status} (replayed ${String(l.replayCount)}x)`],
      ['message id', l.messageId],
      ['type / 種別', l.messageType],
      ['route / step', `${l.route ?? '-'} / ${l.step ?? '-'}`],
      [
        'original',
        `${l.originalExchange} → ${l.originalRoutingKey} (queue ${l.originalQueue ?? '-'})`,
      ],
      ['reason / 理由', `${l.reasonClass}${l.detail === null ? '' : ` [${l.detail}]`}`],
      ['  ja', l.reasonJa],
      ['  en', l.reasonEn],
      ['attempts / 試行', String(l.attempts)],
      ['dead-lettered / 発生', l.deadLetteredAt.toISOString()],
      ['correlation id', l.correlationId ?? '-'],
      ['source / 送信元', l.sourceSystem ?? '-'],
      ...(fileOriginOf(l) === undefined
        ? []
        : [['file / ファイル', fileOriginOf(l) ?? '-'] as [string, string]]),
      ['subject hash', l.subjectHash ?? '-'],
      [
        'payload',
        `${String(l.payloadSize)} bytes, keyed hash ${view.bodyHash ?? '-'}, key ${l.keyId}`,
      ],
    ];
    if (view.unreadable !== undefined) {
      lines.push(['UNREADABLE / 復号不可', `${view.unreadable.en} / ${view.unreadable.ja}`]);
    }
    for (const [name, value] of lines) say(`${name.padEnd(22)} ${value}`);
    say(
      view.masked
        ? 'body (masked / マスク済み):'
        : 'body (UNMASKED, recorded / マスク解除・記録済み):',
    );
    say(typeof view.body === 'string' ? view.body : JSON.stringify(view.body, null, 2));
    return exitCodes.ok;
  });
}

function printReport(report: ReplayReport, json: boolean): void {
  if (json) {
    say(JSON.stringify(report));
    return;
  }
  for (const item of report.items) {
    const target = item.target?.description ?? '-';
    const extra = [
      item.replayMessageId === undefined ? '' : `as ${item.replayMessageId}`,
      item.replayCount === undefined ? '' : `replay #${String(item.replayCount)}`,
      item.effect === undefined ? '' : `then / 処理: ${item.effect}`,
      item.issues === undefined ? '' : `issues: ${item.issues.join('; ')}`,
      item.problem === undefined ? '' : `${item.problem.en} / ${item.problem.ja}`,
    ]
      .filter((part) => part !== '')
      .join(' · ');
    say(`${String(item.id).padStart(6)}  ${item.status.padEnd(13)}  → ${target}  ${extra}`);
  }
  const verb = report.dryRun ? 'would publish / 再送予定' : 'published / 再送';
  const sent = report.dryRun
    ? report.items.filter((item) => item.status === 'would-publish').length
    : report.published;
  say(
    `${String(sent)} ${verb}, ${String(report.refused)} refused / 拒否, ${String(report.failed)} failed / 失敗` +
      (report.cancelled
        ? `, cancelled with ${String(report.notStarted)} not started / 中断（未送信 ${String(report.notStarted)} 件）`
        : '') +
      ` in ${String(report.durationMs)} ms`,
  );
}

/** The options of `hub dlq replay`, as commander hands them over. */
type ReplayCliOptions = FilterOptions & {
  to?: string;
  dryRun: boolean;
  rate?: number;
  body?: string;
  as?: string;
  reason?: string;
  again: boolean;
  json: boolean;
  progress: boolean;
};

/** `hub dlq replay`. */
export async function dlqReplayCli(ids: number[], options: ReplayCliOptions): Promise<number> {
  if (ids.length === 0 && !hasFilter(options)) {
    complain(
      'hub dlq replay: give dead-letter ids or at least one filter (--route, --type, --reason, --since …)' +
        ' / ID または絞り込み条件を指定してください',
    );
    return exitCodes.usage;
  }
  if (options.again && (options.reason?.trim().length ?? 0) < 4) {
    complain(
      'hub dlq replay: --again sends letters that were replayed before; say why with --reason (recorded)' +
        ' / --again には理由（--reason、記録されます）が必要です',
    );
    return exitCodes.usage;
  }
  let body: Buffer | undefined;
  if (options.body !== undefined) {
    try {
      body = await readFile(options.body);
    } catch (error) {
      complain(
        `hub dlq replay: cannot read ${options.body} (${describeError(error)}) / 本文ファイルを読めません`,
      );
      return exitCodes.usage;
    }
  }
  return inSession('dlq replay', { broker: !options.dryRun, catalogue: true }, async (session) => {
    let actor: Actor = { name: process.env['USER'] ?? 'cli', role: 'dry-run' };
    if (!options.dryRun || body !== undefined) {
      const signed = await signIn(session, 'dlq replay', options.as);
      if (signed === undefined) return exitCodes.failed;
      actor = signed;
    }
    const controller = new AbortController();
    const onSignal = () => {
      complain('stopping after the message in flight / 送信中の 1 件の後に停止します');
      controller.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const { default: progress } = await import('cli-progress');
    const bar =
      options.progress && process.stderr.isTTY
        ? new progress.SingleBar(
            { stream: process.stderr, format: 'replay {bar} {value}/{total} ({eta}s)' },
            progress.Presets.shades_classic,
          )
        : undefined;
    let started = false;
    try {
      const report = await session.service.replay({
        ...(ids.length > 0 ? { ids } : { filter: filterOf(options) }),
        to: options.to,
        dryRun: options.dryRun,
        ratePerSecond: options.rate,
        body,
        actor,
        reason: options.reason,
        again: options.again,
        signal: controller.signal,
        onProgress: (done, total) => {
          if (bar === undefined) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        },
      });
      bar?.stop();
      printReport(report, options.json);
      const clean = report.refused === 0 && report.failed === 0 && !report.cancelled;
      return clean ? exitCodes.ok : exitCodes.failed;
    } finally {
      bar?.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

/** `hub dlq purge --older-than 90d`. */
export function dlqPurgeCli(
  options: FilterOptions & {
    olderThan: number;
    olderThanText: string;
    as?: string;
    reason?: string;
    json: boolean;
  },
): Promise<number> {
  return inSession('dlq purge', { broker: false, catalogue: false }, async (session) => {
    const actor = await signIn(session, 'dlq purge', options.as);
    if (actor === undefined) return exitCodes.failed;
    const before = new Date(Date.now() - options.olderThan);
    const ids = await session.service.purge(
      actor,
      before,
      `older than ${options.olderThanText}`,
      filterOf(options),
      options.reason,
    );
    // Retention covers the file-drop archives too (issue 13), when the purge is by age only.
    const filter = filterOf(options);
    const byAgeOnly = Object.values(filter).every((value) => value === undefined);
    const files = byAgeOnly ? await purgeDropArchives(session.config.dropDir, before) : 0;
    if (files > 0) {
      await session.service.operatorLog.append({
        actor: actor.name,
        role: actor.role,
        action: 'dead-letter.purge',
        target: 'drop-archives',
        reason: options.reason ?? null,
        detail: {
          rule: `older than ${options.olderThanText}`,
          before: before.toISOString(),
          files,
        },
      });
    }
    if (options.json) say(JSON.stringify({ purged: ids.length, ids, archivedFiles: files }));
    else {
      say(
        `purged ${String(ids.length)} dead letter payload(s) dead-lettered before ${before.toISOString()} / ${String(ids.length)} 件の原本を削除しました`,
      );
      if (byAgeOnly) {
        say(
          `deleted ${String(files)} archived drop file(s) / 保管済みの取込ファイル ${String(files)} 件を削除しました`,
        );
      }
    }
    return exitCodes.ok;
  });
}

/** Registers `hub dlq list|show|replay|purge`. */
export function registerDlqCommands(program: Command, setCode: (code: number) => void): void {
  const dlq = program
    .command('dlq')
    .summary('Dead letters: list|show|replay|purge / デッドレター')
    .description(
      'Find, read, replay and purge dead letters.\nデッドレターの検索・表示・再送・削除。',
    );

  addFilterOptions(
    dlq
      .command('list')
      .summary('List dead letters / デッドレター一覧')
      .description(
        'List dead letters, newest first, as a table or JSON Lines.\nデッドレターを新しい順に一覧表示する。',
      ),
    '--reason <class>',
  )
    .option('--limit <n>', 'at most n rows / 最大件数', (value) => idArgument(value), 1000)
    .option('--json', 'JSON Lines / JSON Lines で出力', false)
    .action(async (options: FilterOptions & { reason?: string; json: boolean }) => {
      setCode(await dlqListCli({ ...options, reasonClass: options.reason }));
    });

  dlq
    .command('show')
    .summary('Show one dead letter (masked) / デッドレター表示')
    .description(
      'Show one dead letter with its reason; the body is masked (個人番号, names, addresses) unless an operator unmasks it with a reason, which is recorded.\n' +
        'デッドレターを表示する。本文はマスクされる。オペレーターが理由を付けてマスク解除でき、その操作は記録される。',
    )
    .argument('<id>', 'dead-letter id / ID', idArgument)
    .option(
      '--unmask',
      'show the body as it was (operator; needs --reason and --as) / マスク解除',
      false,
    )
    .option('--reason <text>', 'why the unmasked view is needed (recorded) / 理由（記録される）')
    .option(
      '--as <user>',
      'sign in as this operator (password: HUB_OPERATOR_PASSWORD or prompt) / オペレーターとして認証',
    )
    .option('--json', 'JSON / JSON で出力', false)
    .action(
      async (
        id: number,
        options: { unmask: boolean; reason?: string; as?: string; json: boolean },
      ) => {
        setCode(await dlqShowCli(id, options));
      },
    );

  addFilterOptions(
    dlq
      .command('replay')
      .summary('Replay dead letters / デッドレター再送')
      .description(
        'Send dead letters again: by id or filter, to the step that failed (default) or --to <messageType|step:<name>|route>, at --rate N/s, stopping cleanly on Ctrl-C. ' +
          'A replay carries an id derived from the original (the same for every replay, so the receiver de-duplicates) and x-hub-replay-count; beyond 3 replays of a message it is refused. ' +
          'Letters replayed before are left out (a filter takes open letters) unless --again with a --reason. --dry-run validates and shows the targets without publishing.\n' +
          'デッドレターを再送する（ID または条件で指定、既定は失敗したステップ宛て）。再送の ID は元の ID から決まり毎回同じ（受信側で重複排除できる）。再送済みのものは --again と --reason（理由）を付けたときだけ再送。--rate で速度制限、Ctrl-C で安全に中断。再送は 3 回まで。--dry-run は検証と宛先表示のみ。',
      )
      .argument('[ids...]', 'dead-letter ids / ID')
      .option('--to <target>', 'messageType, step:<name> or route / 再送先')
      .option('--dry-run', 'validate and show targets, publish nothing / 検証のみ', false)
      .option('--rate <N/s>', 'messages per second / 毎秒の件数', rateArgument)
      .option(
        '--body <file>',
        'a corrected body for one dead letter (recorded as an edit) / 修正本文',
      )
      .option(
        '--as <user>',
        'sign in as this operator (password: HUB_OPERATOR_PASSWORD or prompt) / オペレーターとして認証',
      )
      .option('--reason <text>', 'why (recorded) / 理由（記録される）')
      .option(
        '--again',
        'also letters replayed before (needs --reason) / 再送済みのものも再送（理由が必要）',
        false,
      )
      .option('--json', 'print the report as JSON / JSON で出力', false)
      .option('--no-progress', 'no progress bar / 進捗表示なし'),
  ).action(async (rawIds: string[], options: ReplayCliOptions) => {
    const ids: number[] = [];
    for (const raw of rawIds) {
      const id = Number(raw);
      if (!Number.isInteger(id) || id <= 0) {
        complain(`hub dlq replay: "${raw}" is not a dead-letter id / ID ではありません`);
        setCode(exitCodes.usage);
        return;
      }
      ids.push(id);
    }
    setCode(await dlqReplayCli(ids, options));
  });

  addFilterOptions(
    dlq
      .command('purge')
      .summary('Purge dead letters by retention rule / 保存期間による削除')
      .description(
        'Delete the original bytes of dead letters older than --older-than (e.g. 90d); the rows stay as tombstones and the purge is recorded with every id.\n' +
          '保存期間を過ぎたデッドレターの原本を削除する（行は記録として残り、削除した ID は操作記録に残る）。',
      )
      .requiredOption('--older-than <duration>', 'e.g. 90d / 期間（90d など）')
      .option(
        '--as <user>',
        'sign in as this operator (password: HUB_OPERATOR_PASSWORD or prompt) / オペレーターとして認証',
      )
      .option('--reason <text>', 'why (recorded) / 理由（記録される）')
      .option('--json', 'JSON / JSON で出力', false),
  ).action(
    async (
      options: FilterOptions & { olderThan: string; as?: string; reason?: string; json: boolean },
    ) => {
      let olderThan: number;
      try {
        olderThan = durationArgument(options.olderThan);
      } catch {
        complain(
          'hub dlq purge: --older-than takes a duration such as 90d / 90d のような期間を指定してください',
        );
        setCode(exitCodes.usage);
        return;
      }
      setCode(await dlqPurgeCli({ ...options, olderThan, olderThanText: options.olderThan }));
    },
  );
}
