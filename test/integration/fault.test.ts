/**
 * Crash tests: hub engines in their own processes, killed with SIGKILL while they hold unfinished
 * work. The oracle is the fake destination, which records every raw POST (nothing removed, nothing
 * merged) with its idempotency key and the process that sent it; nothing is read from the hub's own
 * outcome rows. Counts that only the broker knows (messages left) are read with rabbitmqctl.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import {
  createVhost,
  eventually,
  messagesLeft,
  rawConnection,
  type TestVhost,
} from '../support/broker.js';
import { tempSqliteUrl } from '../support/engine-harness.js';
import { logChild } from '../support/hub-logs.js';

/** One POST as the destination received it. */
interface RawDelivery {
  readonly key: string;
  readonly worker: string;
  readonly body: string;
}

/** The fake external system: records every POST; while `holding`, answers none of them. */
class Destination {
  readonly deliveries: RawDelivery[] = [];
  readonly held: { delivery: RawDelivery; response: ServerResponse }[] = [];
  holding = false;
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const delivery = {
          key: String(request.headers['idempotency-key']),
          worker: String(request.headers['x-worker']),
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.deliveries.push(delivery);
        if (this.holding) this.held.push({ delivery, response });
        else response.writeHead(204).end();
      });
    });
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}/deliveries`;
  }

  /** Answers everything held (the killed process's sockets are gone; those answers go nowhere). */
  release(): void {
    this.holding = false;
    for (const { response } of this.held.splice(0)) {
      if (!response.destroyed) response.writeHead(204).end();
    }
  }

  /** Distinct idempotency keys: what a receiver that applies each key once has applied. */
  applied(): Map<string, RawDelivery[]> {
    const byKey = new Map<string, RawDelivery[]>();
    for (const delivery of this.deliveries) {
      byKey.set(delivery.key, [...(byKey.get(delivery.key) ?? []), delivery]);
    }
    return byKey;
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

/** Starts a hub engine in its own process (so it can be killed with SIGKILL). */
async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/fault-worker.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logChild(child, `fault worker ${env['FAULT_ROUTE'] ?? 'forward'}`);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(() => output.includes('ready'), 90_000, 'the worker to start');
  return child;
}

/** Kills `child` with SIGKILL while the destination holds at least `inFlight` unanswered POSTs. */
async function killMidDelivery(
  child: ChildProcess,
  destination: Destination,
  inFlight: number,
): Promise<RawDelivery[]> {
  destination.holding = true;
  await eventually(
    () => destination.held.length >= inFlight,
    60_000,
    `${String(inFlight)} deliveries in flight`,
  );
  child.kill('SIGKILL');
  await once(child, 'exit');
  const worker = String(child.pid);
  const unfinished = destination.held
    .map((entry) => entry.delivery)
    .filter((delivery) => delivery.worker === worker);
  destination.release();
  return unfinished;
}

describe('fault: SIGKILL while deliveries are in flight', function () {
  this.timeout(300_000);
  let vhost: TestVhost;
  let destination: Destination;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    vhost = await createVhost('hub-fault');
    destination = new Destination();
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    destination.close();
    await vhost.delete();
  });

  it('applies every message once at the destination though the kill makes it deliver some twice', async function () {
    const total = 10_000;
    const prefetch = 64;
    const sinkUrl = await destination.listen();
    const env = {
      FAULT_AMQP_URL: vhost.url,
      FAULT_DB_URL: tempSqliteUrl(),
      FAULT_SINK_URL: sinkUrl,
      FAULT_PREFETCH: String(prefetch),
    };
    const first = await startWorker(env);
    children.push(first);
    const connection = await rawConnection(vhost.url);
    const channel = await connection.createConfirmChannel();
    for (let index = 0; index < total; index += 1) {
      const body = { subject: `s${String(index % 100)}`, seq: index, value: index };
      channel.publish(EVENTS_EXCHANGE, 'test.item.recorded', Buffer.from(JSON.stringify(body)), {
        type: 'test.item.recorded',
        messageId: `k-${String(index)}`,
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    await connection.close();

    await eventually(() => destination.deliveries.length >= total / 4, 120_000, 'a quarter');
    // The kill lands while the destination holds POSTs it has not answered: work in flight.
    const unfinished = await killMidDelivery(first, destination, 8);
    expect(unfinished.length, 'deliveries in flight at the kill').to.be.at.least(8);
    expect(destination.applied().size).to.be.lessThan(total);

    children.push(await startWorker(env));
    await eventually(() => destination.applied().size >= total, 240_000, 'every message');
    await eventually(async () => (await messagesLeft(vhost.name)) === 0, 60_000, 'empty queues');

    const applied = destination.applied();
    const duplicates = destination.deliveries.length - applied.size;
    this.test!.title += ` (${String(total)} applied, ${String(destination.deliveries.length)} delivered, ${String(duplicates)} twice)`;
    // Applied once: one key per message, and every copy of a key carries the same body, so a
    // receiver that applies each key once applies each message once.
    expect(applied.size).to.equal(total);
    const seqs = new Map<number, string>();
    for (const [key, copies] of applied) {
      expect(new Set(copies.map((copy) => copy.body)).size, `copies of ${key}`).to.equal(1);
      const seq = (JSON.parse(copies[0]?.body ?? '{}') as { seq: number }).seq;
      expect(seqs.has(seq), `seq ${String(seq)} under two keys`).to.equal(false);
      seqs.set(seq, key);
    }
    expect([...seqs.keys()].sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: total }, (_, index) => index),
    );
    // What was in flight at the kill was not acked, so it came again: delivered twice, applied once.
    for (const delivery of unfinished) {
      expect(applied.get(delivery.key), `redelivery of ${delivery.key}`).to.have.length.at.least(2);
    }
    // Only unacknowledged work is repeated: at most what both steps held (prefetch each).
    expect(duplicates).to.be.at.least(unfinished.length);
    expect(duplicates).to.be.at.most(2 * prefetch);
  });

  it('keeps per-subject order when the active consumer is killed and the standby takes over', async function () {
    const sinkUrl = await destination.listen();
    const env = {
      FAULT_AMQP_URL: vhost.url,
      FAULT_DB_URL: tempSqliteUrl(),
      FAULT_SINK_URL: sinkUrl,
      FAULT_ROUTE: 'ordered',
      FAULT_PREFETCH: '20',
    };
    // Two replicas: the first to subscribe is the single active consumer, the second its standby.
    const active = await startWorker(env);
    children.push(active);
    const standby = await startWorker({ ...env, FAULT_DB_URL: tempSqliteUrl() });
    children.push(standby);
    const subjects = ['s-0', 's-1', 's-2', 's-3', 's-4'];
    const perSubject = 200;
    const connection = await rawConnection(vhost.url);
    const channel = await connection.createConfirmChannel();
    for (let seq = 0; seq < perSubject; seq += 1) {
      for (const subject of subjects) {
        channel.publish(
          EVENTS_EXCHANGE,
          'test.item.forwarded',
          Buffer.from(JSON.stringify({ subject, seq, doubled: seq })),
          { type: 'test.item.forwarded', messageId: `${subject}-${String(seq)}`, persistent: true },
        );
      }
    }
    await channel.waitForConfirms();
    await connection.close();

    await eventually(() => destination.deliveries.length >= 300, 60_000, 'some progress');
    const unfinished = await killMidDelivery(active, destination, subjects.length);
    expect(unfinished.length, 'deliveries in flight at the kill').to.be.at.least(subjects.length);
    await eventually(
      () => destination.applied().size >= subjects.length * perSubject,
      120_000,
      'every message',
    );
    await eventually(async () => (await messagesLeft(vhost.name)) === 0, 60_000, 'empty queues');

    const first = String(active.pid);
    const second = String(standby.pid);
    const workers = destination.deliveries.map((delivery) => delivery.worker);
    // The standby delivered nothing while the active consumer lived, and took over after the kill.
    expect(new Set(workers)).to.deep.equal(new Set([first, second]));
    expect(workers.indexOf(second)).to.be.greaterThan(workers.lastIndexOf(first));
    let duplicates = 0;
    for (const subject of subjects) {
      // Every raw delivery, duplicates kept: each process's run is consecutive, the first from 0,
      // the second from at most one past where the first stopped (it repeats the unacked), to the end.
      const seqsOf = (worker: string) =>
        destination.deliveries
          .filter((delivery) => delivery.worker === worker)
          .map((delivery) => JSON.parse(delivery.body) as { subject: string; seq: number })
          .filter((body) => body.subject === subject)
          .map((body) => body.seq);
      const before = seqsOf(first);
      const after = seqsOf(second);
      const consecutive = (seqs: number[], from: number) =>
        seqs.every((seq, index) => seq === from + index);
      expect(before[0], `${subject}: first delivery`).to.equal(0);
      expect(consecutive(before, 0), `${subject} before the kill: ${before.join(',')}`).to.equal(
        true,
      );
      const start = after[0] ?? perSubject;
      expect(start, `${subject}: the standby starts at most one past the kill`).to.be.at.most(
        before.length,
      );
      expect(consecutive(after, start), `${subject} after the kill: ${after.join(',')}`).to.equal(
        true,
      );
      expect(start + after.length, `${subject}: last delivery`).to.equal(perSubject);
      duplicates += before.length - start;
    }
    for (const delivery of unfinished) {
      expect(
        destination.applied().get(delivery.key),
        `redelivery of ${delivery.key}`,
      ).to.have.length.at.least(2);
    }
    this.test!.title += ` (${String(duplicates)} delivered twice)`;
  });
});
