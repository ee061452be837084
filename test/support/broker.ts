import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import amqp from 'amqplib';

const run = promisify(execFile);

/** The broker tests use: HUB_TEST_AMQP_URL or the local RabbitMQ. */
export const baseAmqpUrl = process.env['HUB_TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Runs rabbitmqctl (tests run as root on the broker's machine, like CI). */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
  return stdout;
}

/** A throw-away virtual host, so tests never see each other's queues. */
export interface TestVhost {
  readonly name: string;
  readonly url: string;
  delete(): Promise<void>;
}

/** Creates a vhost with full permissions for the test user. */
export async function createVhost(prefix = 'hub-test'): Promise<TestVhost> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await rabbitmqctl('add_vhost', name);
  const user = new URL(baseAmqpUrl).username || 'guest';
  await rabbitmqctl('set_permissions', '-p', name, user, '.*', '.*', '.*');
  const url = new URL(baseAmqpUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    name,
    url: url.toString(),
    async delete() {
      await rabbitmqctl('delete_vhost', name).catch(() => undefined);
    },
  };
}

/** Closes every client connection of the vhost, as an operator or a broker restart would. */
export async function closeAllConnections(vhost: string): Promise<void> {
  await rabbitmqctl('close_all_connections', '--vhost', vhost, 'test: simulated broker failure');
}

/** A raw amqplib connection for the test itself (publishing inputs, reading queues). */
export async function rawConnection(url: string): Promise<amqp.ChannelModel> {
  return amqp.connect(url);
}

/** Publishes JSON straight to hub.events with confirms, as a legacy system would. */
export async function publishRaw(
  channel: amqp.ConfirmChannel,
  messageType: string,
  body: unknown,
  options: amqp.Options.Publish = {},
): Promise<void> {
  channel.publish('hub.events', messageType, Buffer.from(JSON.stringify(body)), {
    persistent: true,
    contentType: 'application/json',
    type: messageType,
    messageId: randomUUID(),
    ...options,
  });
  await channel.waitForConfirms();
}

/** Waits until `check` returns true, polling; fails with `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Messages (ready + unacknowledged) in all of a vhost's queues, as the broker counts them: the
 * event a test waits for when "everything has been taken and settled" is what it needs to know.
 */
export async function messagesLeft(vhost: string): Promise<number> {
  const out = await rabbitmqctl(
    'list_queues',
    '-p',
    vhost,
    '--no-table-headers',
    'name',
    'messages',
  );
  return out
    .split('\n')
    .map((line) => Number(line.trim().split(/\s+/)[1] ?? 0))
    .reduce((sum, count) => sum + (Number.isFinite(count) ? count : 0), 0);
}
