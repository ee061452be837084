import { connect } from 'node:net';
import { loadConfig, readTls, redactUrl, type HubConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { loadOpenStore, loadProbeBroker, loadSchemaRegistry, loadValidate } from './deps.js';
import { configErrorLine, describeError, exitCodes, oneShotLogging, say } from './output.js';

/** How one check of `hub doctor` came out: passed, failed, skipped, or not built yet. */
export type CheckStatus = 'ok' | 'fail' | 'skipped' | 'not-built';

/** One line of the doctor's report. */
export interface CheckResult {
  readonly name:
    'config' | 'broker' | 'store' | 'schemas' | 'flows' | 'retired' | 'replicas' | 'font';
  readonly status: CheckStatus;
  /** A failure of a required check makes `hub doctor` exit non-zero. */
  readonly required: boolean;
  /** What was tried and what came of it, English / 日本語. Never personal data, never a password. */
  readonly detail: string;
}

const labels: Readonly<Record<CheckResult['name'], string>> = {
  config: 'config / 設定',
  broker: 'broker / ブローカー',
  store: 'store / ストア',
  schemas: 'schemas / スキーマ',
  flows: 'flows / フロー',
  retired: 'retired queues / 廃止キュー',
  replicas: 'replicas / レプリカ',
  font: 'certificate font / 証明書フォント',
};

const marks: Readonly<Record<CheckStatus, string>> = {
  ok: '✔',
  fail: '✘',
  skipped: '-',
  'not-built': '-',
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} gave no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** A raw TCP connect to the broker's host and port: the fallback until the AMQP probe lands. */
function tcpProbe(rawUrl: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (url.protocol === 'amqps:' ? 5671 : 5672) : Number(url.port);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean, detail: string): void => {
      socket.destroy();
      resolve({ ok, detail });
    };
    socket.setTimeout(timeoutMs, () => {
      finish(false, `no answer within ${timeoutMs} ms`);
    });
    socket.once('connect', () => {
      finish(true, 'TCP port open (AMQP handshake not checked)');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      finish(false, error.code ?? error.message);
    });
  });
}

async function checkBroker(config: HubConfig, timeoutMs: number): Promise<CheckResult> {
  const where = redactUrl(config.amqpUrl);
  const probe = (await loadProbeBroker()) ?? tcpProbe;
  let result: { ok: boolean; detail: string };
  try {
    result = await withTimeout(
      probe(config.amqpUrl, timeoutMs, readTls(config.amqpTls)),
      timeoutMs + 1000,
      'the broker',
    );
  } catch (error) {
    result = { ok: false, detail: describeError(error) };
  }
  // The probe's own detail should not carry a password; make sure of it.
  const detail = result.detail.split(config.amqpUrl).join(where);
  if (result.ok) {
    const said = detail.includes(where) ? detail : `${where}: ${detail}`;
    return { name: 'broker', status: 'ok', required: true, detail: `${said} / 接続できました` };
  }
  // The AMQP probe already names where it tried and how to start RabbitMQ; the TCP fallback does not.
  const explained = detail.includes(where)
    ? detail
    : `cannot reach ${where} (${detail}) — start RabbitMQ (rabbitmq-server -detached) or set HUB_AMQP_URL` +
      ` / ${where} に接続できません。RabbitMQ を起動するか HUB_AMQP_URL を確認してください`;
  return { name: 'broker', status: 'fail', required: true, detail: explained };
}

async function checkStore(config: HubConfig, timeoutMs: number): Promise<CheckResult> {
  const where = redactUrl(config.dbUrl);
  const openStore = await loadOpenStore();
  if (openStore === undefined) {
    return {
      name: 'store',
      status: 'not-built',
      required: false,
      detail: `${where}: store module not built yet / ストアは未実装`,
    };
  }
  try {
    const store = await withTimeout(
      openStore(config.dbUrl, {
        migrate: false,
        ...(config.dbTls.ca === undefined && config.dbTls.cert === undefined
          ? {}
          : { tls: readTls(config.dbTls) }),
      }),
      timeoutMs,
      'the store',
    );
    try {
      await withTimeout(store.ping(), timeoutMs, 'the store');
    } finally {
      await store.close().catch(() => undefined);
    }
    return {
      name: 'store',
      status: 'ok',
      required: true,
      detail: `${where} (${store.kind}) / 接続できました`,
    };
  } catch (error) {
    const hint = config.dbUrl.startsWith('sqlite:')
      ? 'check that the directory exists and is writable / ディレクトリが存在し書き込めるか確認してください'
      : 'start MariaDB/MySQL or set HUB_DB_URL / MariaDB・MySQL を起動するか HUB_DB_URL を確認してください';
    const message = describeError(error).split(config.dbUrl).join(where);
    const detail = message.includes(where) ? message : `cannot use ${where} (${message}) — ${hint}`;
    return { name: 'store', status: 'fail', required: true, detail };
  }
}

async function checkSchemas(): Promise<CheckResult> {
  const schemaRegistry = await loadSchemaRegistry();
  if (schemaRegistry === undefined) {
    return {
      name: 'schemas',
      status: 'not-built',
      required: false,
      detail:
        'schema registry not built yet — issue 3 brings the catalogue / 未実装（課題 3 で提供）',
    };
  }
  try {
    const registry = schemaRegistry();
    const validate = await loadValidate();
    const count = validate?.schemasListLines(registry).length;
    const counted = count === undefined ? '' : ` (${count} message types / ${count} 種類)`;
    return {
      name: 'schemas',
      status: 'ok',
      required: true,
      detail: `all schemas compile${counted} / すべてのスキーマをコンパイルできました`,
    };
  } catch (error) {
    return {
      name: 'schemas',
      status: 'fail',
      required: true,
      detail: `a schema does not compile: ${describeError(error)} / スキーマをコンパイルできません`,
    };
  }
}

/** The Japanese font counter certificates embed (HUB_CERTIFICATE_FONT, affair 3): `hub start` needs it. */
async function checkFont(config: HubConfig): Promise<CheckResult> {
  const { checkCertificateFont } = await import('../counter/pdf.js');
  try {
    checkCertificateFont(config.certificateFont);
    return {
      name: 'font',
      status: 'ok',
      required: true,
      detail: `${config.certificateFont} / 日本語フォントがあります`,
    };
  } catch (error) {
    return { name: 'font', status: 'fail', required: true, detail: describeError(error) };
  }
}

/** The same lint and compile a deploy runs, over HUB_FLOWS_DIR. */
async function checkFlowsDir(config: HubConfig): Promise<CheckResult> {
  try {
    const { readFlowsDir } = await import('../nodered/flows-dir.js');
    const { lintFlows, recipientsFrom } = await import('../nodered/routing.js');
    const { lintContext } = await import('../nodered/context.js');
    const { schemaRegistry } = await import('../../schemas/registry.js');
    const flows = readFlowsDir(config.flowsDir);
    const { steps, problems } = lintFlows(
      flows,
      lintContext(),
      recipientsFrom(schemaRegistry().list()),
    );
    if (problems.length > 0) {
      return {
        name: 'flows',
        status: 'fail',
        required: true,
        detail: `${String(problems.length)} problem(s) in ${config.flowsDir}; run hub flows check / フローに ${String(problems.length)} 件の問題`,
      };
    }
    const tabs = flows.filter((node) => node.type === 'tab').length;
    return {
      name: 'flows',
      status: 'ok',
      required: true,
      detail: `${String(tabs)} affair tab(s) compile to ${String(steps.length)} engine step(s) / フローは有効です`,
    };
  } catch (error) {
    return {
      name: 'flows',
      status: 'fail',
      required: true,
      detail: `cannot read ${config.flowsDir}: ${describeError(error)} / フローを読めません`,
    };
  }
}

/**
 * The queues of steps a deploy removed that still hold messages: unbound, so nothing new arrives, but
 * what they hold moves nowhere until `hub flows drain`. Not required (the hub runs), but shown as a
 * failure so an operator sees it.
 */
async function checkRetired(config: HubConfig, timeoutMs: number): Promise<CheckResult> {
  let store: import('../store/types.js').Store | undefined;
  let broker: import('../broker/index.js').Broker | undefined;
  try {
    const [{ openStore }, { flowDeploys }, { createBroker }, routing] = await Promise.all([
      import('../store/index.js'),
      import('../store/flow-deploys.js'),
      import('../broker/index.js'),
      import('../nodered/routing.js'),
    ]);
    const opened = await withTimeout(
      openStore(config.dbUrl, { migrate: false }),
      timeoutMs,
      'the store',
    );
    store = opened;
    const rows = await flowDeploys(opened).retired();
    if (rows.length === 0) {
      return { name: 'retired', status: 'ok', required: false, detail: 'none / ありません' };
    }
    const { lintContext } = await import('../nodered/context.js');
    const running = new Set(
      routing
        .lintFlows(routing.readDeployedFlows(config.flowsDir), lintContext())
        .steps.map((step) => `hub.step.${step.name}`),
    );
    const connected = createBroker({
      url: config.amqpUrl,
      name: 'hub-doctor',
      tls: readTls(config.amqpTls),
    });
    broker = connected;
    await withTimeout(connected.start(), timeoutMs, 'the broker');
    const waiting: import('../nodered/routing.js').RetiredQueue[] = [];
    for (const row of rows) {
      if (running.has(row.queue)) continue;
      const messages = await withTimeout(connected.queueDepth(row.queue), timeoutMs, 'the broker');
      if ((messages ?? 0) > 0) waiting.push({ ...row, messages });
    }
    if (waiting.length === 0) {
      return {
        name: 'retired',
        status: 'ok',
        required: false,
        detail: `${String(rows.length)} retired queue(s), all empty / 廃止キューはすべて空です`,
      };
    }
    return {
      name: 'retired',
      status: 'fail',
      required: false,
      detail: waiting.map(routing.retiredQueueLine).join('; '),
    };
  } catch (error) {
    return {
      name: 'retired',
      status: 'skipped',
      required: false,
      detail: `not checked: ${describeError(error)} / 確認できませんでした`,
    };
  } finally {
    await broker?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
  }
}

/**
 * The replicas seen (heartbeat rows, issue 22): each one's host, when it was last seen, the flows
 * version it runs and the broker node it is on. Live = seen within three heartbeats. Not required;
 * a failure when a live replica runs another flows version than the store's head (it has not caught
 * up: it cannot compile what another replica deployed, or cannot reach the broker or store).
 */
async function checkReplicas(config: HubConfig, timeoutMs: number): Promise<CheckResult> {
  let store: import('../store/types.js').Store | undefined;
  try {
    const [{ openStore }, { flowDeploys }, { replicas }] = await Promise.all([
      import('../store/index.js'),
      import('../store/flow-deploys.js'),
      import('../store/replicas.js'),
    ]);
    store = await withTimeout(openStore(config.dbUrl, { migrate: false }), timeoutMs, 'the store');
    const [rows, head] = await Promise.all([replicas(store).list(), flowDeploys(store).last()]);
    const now = Date.now();
    const liveWithin = 3 * config.heartbeatMs;
    const live = rows.filter((row) => now - row.seenAt.getTime() <= liveWithin);
    if (rows.length === 0) {
      return {
        name: 'replicas',
        status: 'ok',
        required: false,
        detail: 'no replica has run yet / まだ起動したレプリカはありません',
      };
    }
    const describe = (row: (typeof rows)[number]) => {
      const ago = Math.round((now - row.seenAt.getTime()) / 1000);
      const state =
        now - row.seenAt.getTime() <= liveWithin ? 'live' : `gone, last seen ${String(ago)} s ago`;
      return `${row.replicaId} on ${row.host} (${state}; flows v${String(row.flowsVersion ?? '?')}; broker ${row.brokerNode ?? '-'})`;
    };
    const behind = live.filter((row) => head !== undefined && row.flowsVersion !== head.id);
    const headLine = head === undefined ? 'no flows recorded' : `store head v${String(head.id)}`;
    return {
      name: 'replicas',
      status: behind.length > 0 ? 'fail' : 'ok',
      required: false,
      detail:
        `${String(live.length)} live, ${headLine}: ${rows.map(describe).join('; ')}` +
        (behind.length > 0
          ? ` — not on the head: ${behind.map((row) => row.replicaId).join(', ')} / 最新版を実行していないレプリカがあります`
          : ' / レプリカ一覧'),
    };
  } catch (error) {
    return {
      name: 'replicas',
      status: 'skipped',
      required: false,
      detail: `not checked: ${describeError(error)} / 確認できませんでした`,
    };
  } finally {
    await store?.close().catch(() => undefined);
  }
}

/** Runs every check of `hub doctor`, in order; never throws. */
export async function runChecks(
  env: NodeJS.ProcessEnv,
  options: { timeoutMs: number },
): Promise<CheckResult[]> {
  let config: HubConfig;
  try {
    config = loadConfig(env);
    oneShotLogging(config);
  } catch (error) {
    oneShotLogging(undefined);
    const detail =
      error instanceof ConfigError
        ? configErrorLine(error).replace(/^hub: /, '')
        : describeError(error);
    const skipped = (name: CheckResult['name']): CheckResult => ({
      name,
      status: 'skipped',
      required: true,
      detail: 'skipped: the configuration is wrong / 設定誤りのため省略',
    });
    return [
      { name: 'config', status: 'fail', required: true, detail },
      skipped('broker'),
      skipped('store'),
      skipped('schemas'),
      skipped('flows'),
      skipped('retired'),
      skipped('replicas'),
      skipped('font'),
    ];
  }
  const configLine: CheckResult = {
    name: 'config',
    status: 'ok',
    required: true,
    detail:
      `valid: broker ${redactUrl(config.amqpUrl)}, store ${redactUrl(config.dbUrl)}, ` +
      `http ${config.httpHost}:${config.httpPort}, mode ${config.mode} / 設定は有効です`,
  };
  const [broker, store, schemas] = await Promise.all([
    checkBroker(config, options.timeoutMs),
    checkStore(config, options.timeoutMs),
    checkSchemas(),
  ]);
  const flows = await checkFlowsDir(config);
  const retired =
    broker.status === 'ok' && store.status === 'ok'
      ? await checkRetired(config, options.timeoutMs)
      : ({
          name: 'retired',
          status: 'skipped',
          required: false,
          detail: 'skipped: broker or store unavailable / ブローカーまたはストアが使えないため省略',
        } satisfies CheckResult);
  const replicas =
    store.status === 'ok'
      ? await checkReplicas(config, options.timeoutMs)
      : ({
          name: 'replicas',
          status: 'skipped',
          required: false,
          detail: 'skipped: store unavailable / ストアが使えないため省略',
        } satisfies CheckResult);
  return [configLine, broker, store, schemas, flows, retired, replicas, await checkFont(config)];
}

/** The exit code for a set of results: 2 for wrong configuration, 1 for any failed required check. */
export function doctorExitCode(results: readonly CheckResult[]): number {
  if (results.some((result) => result.name === 'config' && result.status === 'fail')) {
    return exitCodes.usage;
  }
  return results.some((result) => result.required && result.status === 'fail')
    ? exitCodes.failed
    : exitCodes.ok;
}

/** `hub doctor`: prints the report (or JSON) and returns the exit code. */
export async function doctorCommand(options: {
  json: boolean;
  timeoutMs: number;
}): Promise<number> {
  const results = await runChecks(process.env, { timeoutMs: options.timeoutMs });
  const code = doctorExitCode(results);
  if (options.json) {
    say(JSON.stringify({ ok: code === exitCodes.ok, checks: results }, null, 2));
    return code;
  }
  for (const result of results) {
    say(`${marks[result.status]} ${labels[result.name]}: ${result.detail}`);
  }
  const failed = results.filter((result) => result.required && result.status === 'fail').length;
  say(
    failed === 0
      ? 'doctor: every required check passed / 必須の確認はすべて合格しました'
      : `doctor: ${failed} required check(s) failed / 必須の確認 ${failed} 件が失敗しました`,
  );
  return code;
}
