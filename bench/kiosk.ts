/**
 * Kiosk round trip (affair 11, コンビニ交付) as the hub serves it today: the 証明書交付センター's
 * request enters through the center connector's ingress (validated, confirmed publish with the
 * deadline), the route step delivers it to the コンビニ交付 system over HTTP, that system answers
 * through its connector (deadline and PDF subject checks, confirmed publish), and the answer step
 * delivers the certificate to the center over HTTP. Both external systems are the project's simulator
 * runtime doing no work (the PDFs are rendered before the clock starts), so what is measured is the
 * hub: two edge publishes (validated, confirmed) and two route steps (validation, My Number policy,
 * idempotency check, HTTP delivery; each step's outcome commit and ack follow its delivery). Hub,
 * simulators and kiosks share one process, as in the e2e tests; HUB_BENCH_PHASES=1 prints the legs.
 *
 * Baseline: a bare amqplib RPC server on a quorum queue (the queue type of the hub's steps) answering
 * through direct reply-to (`amq.rabbitmq.reply-to`) with a body of the same size.
 */
import amqp from 'amqplib';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishAnswer } from '../connectors/conveni-issuance/ingress.js';
import { renderCertificatePdf } from '../connectors/conveni-issuance/pdf.js';
import { conveniIssuanceSink } from '../connectors/conveni-issuance/sink.js';
import { publishKioskRequest } from '../connectors/jlis-cert-center/ingress.js';
import { jlisCertCenterSink } from '../connectors/jlis-cert-center/sink.js';
import { jukinetCsSink } from '../connectors/jukinet-cs/sink.js';
import { certSerialOf } from '../connectors/runtime/population.js';
import { createIngress } from '../connectors/runtime/ingress.js';
import { createSimulator, jsonOf } from '../connectors/runtime/simulator.js';
import { loadConfig } from '../hub/config.js';
import { configureLogger } from '../hub/logger.js';
import { startHub, type RunningHub } from '../hub/main.js';
import { shippedFlowsDir } from '../test/support/flows.js';
import { sampleLgCode } from '../schemas/sample.js';
import type { CertificateDataQuery, KioskCertificateRequested } from '../schemas/types.gen.js';
import {
  certificateSubjectKey,
  residentKeyOf,
  stampKeywords,
} from '../transformers/kiosk-subject.js';
import { benchVhost, percentile, type BenchResult } from './support.js';

/** Synthetic residents the requests cycle through (one pre-rendered PDF each). */
const SUBJECTS = 16;
/** The kiosk's deadline: far enough that no answer is late in a healthy run. */
const RESPOND_WITHIN_MS = 30_000;
const quorum = { 'x-queue-type': 'quorum' };

/** A round-trip client: sends one request and resolves with its latency in milliseconds. */
type RoundTrip = (seed: number) => Promise<number>;

/** A kiosk request like the center simulator's, for synthetic resident `seed`. */
function kioskRequest(seed: number): KioskCertificateRequested {
  const now = Date.now();
  return {
    lgCode: sampleLgCode,
    centerRequestId: `JLIS-${randomUUID()}`,
    authCertSerial: certSerialOf(1 + (seed % SUBJECTS)),
    certificateType: 'JUMINHYO',
    options: {},
    copies: 1,
    kioskVendor: 'SIM',
    requestedAt: new Date(now).toISOString(),
    respondBy: new Date(now + RESPOND_WITHIN_MS).toISOString(),
  };
}

/** One certificate PDF per synthetic resident, rendered once with the simulator's renderer. */
async function renderPdfs(): Promise<Map<string, Buffer>> {
  const pdfs = new Map<string, Buffer>();
  for (let seed = 1; seed <= SUBJECTS; seed += 1) {
    const serial = certSerialOf(seed);
    pdfs.set(
      serial,
      await renderCertificatePdf({
        subjectKey: certificateSubjectKey(sampleLgCode, serial),
        certificateType: 'JUMINHYO',
        issueNumber: `${sampleLgCode}-KIOSK-${String(seed).padStart(6, '0')}`,
        centerRequestId: 'JLIS-bench',
        residentKey: residentKeyOf(sampleLgCode, String(seed)),
        lines: ['Source: juminhyo cache'],
      }),
    );
  }
  return pdfs;
}

/** The body the コンビニ system answers with (the same bytes the hub carries back, for the baseline). */
function producedBody(request: KioskCertificateRequested, pdf: Buffer): Record<string, unknown> {
  return {
    lgCode: request.lgCode,
    centerRequestId: request.centerRequestId,
    subjectKey: certificateSubjectKey(request.lgCode, request.authCertSerial),
    certificateType: request.certificateType,
    pdfBase64: pdf.toString('base64'),
    pageCount: 1,
    fee: 200,
    issueNumber: `${request.lgCode}-KIOSK-000001`,
    producedAt: new Date().toISOString(),
  };
}

/** Rejects after `ms`. */
function timeout(ms: number, what: string): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
  });
  return {
    promise,
    cancel() {
      clearTimeout(timer);
    },
  };
}

/** When one request passed the points the hub side can see (performance.now()). */
interface Marks {
  atConveni?: number;
  answerConfirmed?: number;
  atCenter?: number;
}

/** The hub with the affair-11 routes, a no-work コンビニ system and a no-work center. */
async function startHubSide(
  amqpUrl: string,
  pdfs: Map<string, Buffer>,
): Promise<{ roundTrip: RoundTrip; takePhases(): number[][]; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-kiosk-'));
  const current: { hub?: RunningHub } = {};
  const ingress = createIngress(() => {
    if (!current.hub) throw new Error('the hub is not running yet');
    return current.hub.broker.publisher;
  });
  /** Per request: its answer, and the times it passed each point (see `phaseNames`). */
  const waiting = new Map<string, { resolve(): void; reject(error: Error): void; marks: Marks }>();
  const finished: number[][] = [];
  const conveni = createSimulator({
    system: 'CONVENI_ISSUANCE',
    port: 0,
    onInbox(inbound) {
      const request = jsonOf(inbound) as CertificateDataQuery;
      const rendered = pdfs.get(request.authCertSerial);
      const marks = waiting.get(request.centerRequestId)?.marks;
      if (marks) marks.atConveni = performance.now();
      // Like the real simulator: take the query, then answer through the connector.
      setImmediate(() => {
        const residentKey = residentKeyOf(request.lgCode, request.authCertSerial);
        // The rendered PDF's bytes, stamped for this request (the route checks the stamps).
        const pdf =
          rendered === undefined
            ? undefined
            : Buffer.concat([
                Buffer.from(
                  `%PDF-1.3\n1 0 obj <</Keywords (${stampKeywords({
                    subjectKey: request.subjectKey,
                    requestId: request.centerRequestId,
                    certificateType: request.certificateType,
                    residentKey,
                  })})>> endobj\n`,
                  'latin1',
                ),
                rendered.subarray(rendered.indexOf('%%EOF')),
              ]);
        const answer =
          pdf === undefined
            ? ({ kind: 'refused', outcome: 'NOT_FOUND' } as const)
            : ({
                kind: 'issued',
                authCertSerial: request.authCertSerial,
                atenaNumber: '000000000000001',
                residentKey,
                subjectKey: request.subjectKey,
                pdf,
                pageCount: 1,
                fee: 200,
                issueNumber: `${request.lgCode}-KIOSK-000001`,
              } as const);
        publishAnswer(ingress, request, answer, inbound.sagaSubject)
          .then(() => {
            if (marks) marks.answerConfirmed = performance.now();
          })
          .catch((error: unknown) => {
            waiting
              .get(request.centerRequestId)
              ?.reject(error instanceof Error ? error : new Error('the answer was not published'));
          });
      });
      return { body: { centerRequestId: request.centerRequestId } };
    },
  });
  const center = createSimulator({
    system: 'JLIS_CERT_CENTER',
    port: 0,
    onInbox(inbound) {
      const answer = jsonOf(inbound) as { centerRequestId: string };
      const entry = waiting.get(answer.centerRequestId);
      if (entry) entry.marks.atCenter = performance.now();
      if (inbound.messageType === 'kiosk.certificate.produced') entry?.resolve();
      else
        entry?.reject(new Error(`the kiosk got ${inbound.messageType} instead of a certificate`));
      return { body: { centerRequestId: answer.centerRequestId } };
    },
  });
  await conveni.start();
  await center.start();
  const config = loadConfig({
    HUB_AMQP_URL: amqpUrl,
    HUB_DB_URL: `sqlite:${join(dataDir, 'hub.sqlite')}`,
    HUB_HTTP_PORT: '0',
    HUB_DATA_DIR: dataDir,
    // The shipped affair-11 flows, with the systems this benchmark has sinks for (the CS takes only
    // 支援措置 there, which the benchmark never sends; the audit is the hub's own).
    HUB_FLOWS_DIR: shippedFlowsDir(
      ['affair-11'],
      ['CONVENI_ISSUANCE', 'JLIS_CERT_CENTER', 'JUKINET_CS', 'SUPPORT_MEASURE_AUDIT'],
    ),
    HUB_SIMULATORS: 'off',
    HUB_SECRET_KEY: randomBytes(32).toString('hex'),
    HUB_SHUTDOWN_TIMEOUT_MS: '5000',
    HUB_LOG_LEVEL: 'warn',
  });
  const running = await startHub(config, {
    sinks: [
      conveniIssuanceSink(conveni.url()),
      jlisCertCenterSink(center.url()),
      jukinetCsSink({ baseUrl: center.url(), exchangeDir: dataDir, lgCode: sampleLgCode }),
    ],
    plugins: [],
  });
  current.hub = running;
  return {
    async roundTrip(seed) {
      const request = kioskRequest(seed);
      const limit = timeout(RESPOND_WITHIN_MS, 'a kiosk answer through the hub');
      const marks: Marks = {};
      const answered = new Promise<void>((resolve, reject) => {
        waiting.set(request.centerRequestId, { resolve, reject, marks });
      });
      const started = performance.now();
      try {
        const published = await publishKioskRequest(ingress, request);
        if (!published.accepted) throw new Error('the hub refused the kiosk request at the edge');
        const confirmed = performance.now();
        await Promise.race([answered, limit.promise]);
        const { atConveni, answerConfirmed, atCenter } = marks;
        if (atConveni !== undefined && answerConfirmed !== undefined && atCenter !== undefined)
          finished.push([started, confirmed, atConveni, answerConfirmed, atCenter]);
        return performance.now() - started;
      } finally {
        limit.cancel();
        waiting.delete(request.centerRequestId);
      }
    },
    takePhases() {
      return finished.splice(0);
    },
    async stop() {
      await running.stop();
      await conveni.stop();
      await center.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The bare direct reply-to RPC: a server on a quorum queue and a client, nothing else. */
async function startBareSide(
  amqpUrl: string,
  pdfs: Map<string, Buffer>,
  prefetch: number,
): Promise<{ roundTrip: RoundTrip; stop(): Promise<void> }> {
  const queue = 'bare.kiosk.request';
  const serverConnection = await amqp.connect(amqpUrl, { noDelay: true });
  const server = await serverConnection.createChannel();
  await server.assertQueue(queue, { durable: true, arguments: quorum });
  await server.prefetch(prefetch);
  await server.consume(queue, (message) => {
    if (message === null) return;
    const request = JSON.parse(message.content.toString('utf8')) as KioskCertificateRequested;
    const pdf = pdfs.get(request.authCertSerial) ?? Buffer.alloc(0);
    server.sendToQueue(
      String(message.properties.replyTo),
      Buffer.from(JSON.stringify(producedBody(request, pdf)), 'utf8'),
      {
        correlationId: message.properties.correlationId as string,
        type: 'kiosk.certificate.produced',
      },
    );
    server.ack(message);
  });
  const clientConnection = await amqp.connect(amqpUrl, { noDelay: true });
  const client = await clientConnection.createChannel();
  const waiting = new Map<string, () => void>();
  await client.consume(
    'amq.rabbitmq.reply-to',
    (message) => {
      const id = message?.properties.correlationId as string | undefined;
      if (id !== undefined) waiting.get(id)?.();
    },
    { noAck: true },
  );
  return {
    async roundTrip(seed) {
      const request = kioskRequest(seed);
      const limit = timeout(RESPOND_WITHIN_MS, 'a bare RPC reply');
      const answered = new Promise<void>((resolve) => {
        waiting.set(request.centerRequestId, resolve);
      });
      const started = performance.now();
      try {
        client.sendToQueue(queue, Buffer.from(JSON.stringify(request), 'utf8'), {
          persistent: true,
          replyTo: 'amq.rabbitmq.reply-to',
          correlationId: request.centerRequestId,
          type: 'kiosk.certificate.requested',
          expiration: String(RESPOND_WITHIN_MS),
        });
        await Promise.race([answered, limit.promise]);
        return performance.now() - started;
      } finally {
        limit.cancel();
        waiting.delete(request.centerRequestId);
      }
    },
    async stop() {
      await clientConnection.close();
      await serverConnection.close();
    },
  };
}

/** `count` round trips with `concurrency` kiosks each waiting for its answer before the next. */
async function closedLoop(
  roundTrip: RoundTrip,
  concurrency: number,
  count: number,
): Promise<number[]> {
  const latencies: number[] = [];
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count) {
        issued += 1;
        latencies.push(await roundTrip(issued));
      }
    }),
  );
  return latencies;
}

/** The legs of a hub round trip, between the points `finished` records. */
const phaseNames = [
  'request published (center connector: validate, confirmed publish)',
  'step 1 (queue → checks → HTTP to コンビニ)',
  'answer published (コンビニ connector: checks, confirmed publish)',
  'step 2 (queue → checks → HTTP to center)',
];

/** HUB_BENCH_PHASES=1: mean and p99 of each leg of the hub's round trips. */
function printPhases(concurrency: number, samples: readonly number[][]): void {
  const legs = phaseNames.map((name, index) => {
    const values = samples.map((marks) => (marks[index + 1] ?? 0) - (marks[index] ?? 0));
    const mean = values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    return `  ${name}: mean ${mean.toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`;
  });
  process.stdout.write(
    `kiosk phases at c=${String(concurrency)} (${String(samples.length)} requests):\n${legs.join('\n')}\n`,
  );
}

/** Kiosk round trips through the hub against bare direct reply-to RPC, alternated per concurrency. */
export async function kioskBench(options: { quick: boolean }): Promise<BenchResult> {
  const plan = options.quick
    ? [
        { concurrency: 1, count: 20 },
        { concurrency: 10, count: 60 },
      ]
    : [
        { concurrency: 1, count: 400 },
        { concurrency: 10, count: 1500 },
      ];
  const rounds = options.quick ? 1 : 3;
  const warmUp = options.quick ? 5 : 50;
  // The log (warnings only) goes to stderr: stdout is the benchmark's result lines.
  configureLogger({ level: 'warn', destination: process.stderr });
  const vhost = await benchVhost();
  const pdfs = await renderPdfs();
  const hubSide = await startHubSide(vhost.url, pdfs);
  try {
    const bareSide = await startBareSide(vhost.url, pdfs, 32);
    try {
      await closedLoop(hubSide.roundTrip, 1, warmUp);
      await closedLoop(bareSide.roundTrip, 1, warmUp);
      hubSide.takePhases();
      const rows: { concurrency: number; hub: number[]; bare: number[] }[] = [];
      for (const { concurrency, count } of plan) {
        const hub: number[] = [];
        const bare: number[] = [];
        const phases: number[][] = [];
        for (let round = 0; round < rounds; round += 1) {
          hub.push(...(await closedLoop(hubSide.roundTrip, concurrency, count)));
          phases.push(...hubSide.takePhases());
          bare.push(...(await closedLoop(bareSide.roundTrip, concurrency, count)));
        }
        rows.push({ concurrency, hub, bare });
        if (process.env['HUB_BENCH_PHASES'] !== undefined) printPhases(concurrency, phases);
      }
      const ms = (value: number) => `${value.toFixed(1)} ms`;
      const line = (pick: 'hub' | 'bare') =>
        rows
          .map(
            (row) =>
              `c=${String(row.concurrency)} p50 ${ms(percentile(row[pick], 50))} p99 ${ms(percentile(row[pick], 99))}`,
          )
          .join(' · ');
      const ratios = rows.map((row) => ({
        concurrency: row.concurrency,
        ratio: percentile(row.hub, 99) / percentile(row.bare, 99),
      }));
      const worst = Math.max(...ratios.map((entry) => entry.ratio));
      const levels = [50, 75, 90, 95, 99];
      return {
        name: `kiosk round trip (affair 11: center → hub → no-work コンビニ simulator → hub → center; ${plan.map((step) => `${String(step.count)} × ${String(rounds)} at c=${String(step.concurrency)}`).join(', ')}; percentiles over all rounds)`,
        hub: `${line('hub')} (two route steps, HTTP to the simulators)`,
        baseline: `${line('bare')} (bare amqplib RPC: quorum queue, direct reply-to)`,
        ratio: `${worst.toFixed(2)}× (worst p99 ratio; ${ratios.map((entry) => `c=${String(entry.concurrency)}: ${entry.ratio.toFixed(2)}×`).join(', ')})`,
        target: 'hub p99 ≤ 2× bare p99 at c=1 and c=10',
        met: worst <= 2,
        charts: [
          {
            file: 'kiosk.svg',
            title: 'Kiosk round trip: latency percentiles (all rounds)',
            xLabel: 'percentile',
            yLabel: 'milliseconds',
            xTicks: levels.map((level, index) => ({ x: index, label: `p${String(level)}` })),
            series: rows.flatMap((row) =>
              (['hub', 'bare'] as const).map((pick) => ({
                name: `${pick === 'hub' ? 'hub' : 'bare RPC'} c=${String(row.concurrency)}`,
                dashed: pick === 'bare',
                points: levels.map((level, index) => ({
                  x: index,
                  y: percentile(row[pick], level),
                })),
              })),
            ),
          },
        ],
      };
    } finally {
      await bareSide.stop();
    }
  } finally {
    await hubSide.stop();
    await vhost.remove();
  }
}
