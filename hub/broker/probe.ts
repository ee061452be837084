import { connect } from 'amqplib';
import { redactUrl } from '../config.js';
import { tlsSocketOptions, type BrokerTls } from './connection.js';

/** Tries one connection to the broker; for `hub doctor` and `/readyz`-style checks. */
export async function probeBroker(
  url: string,
  timeoutMs: number,
  tls?: BrokerTls,
): Promise<{ ok: boolean; detail: string }> {
  const where = redactUrl(url);
  try {
    const model = await connect(url, {
      ...tlsSocketOptions(url, tls),
      timeout: timeoutMs,
      noDelay: true,
    });
    const version = model.connection.serverProperties.version;
    await model.close();
    return { ok: true, detail: `RabbitMQ ${version} at ${where}` };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      detail: `cannot connect to ${where} (${why}); start RabbitMQ with \`rabbitmq-server -detached\` or set HUB_AMQP_URL / ${where} に接続できません`,
    };
  }
}
