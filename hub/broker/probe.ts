import { connect } from 'amqplib';
import { redactUrl } from '../config.js';
import { brokerUrls, tlsSocketOptions, type BrokerTls } from './connection.js';

/** One node's answer to a probe. */
export interface NodeProbe {
  readonly url: string;
  readonly ok: boolean;
  /** `RabbitMQ 3.10.8 (cluster rabbit@host)` or why it could not be reached. */
  readonly detail: string;
}

async function probeNode(url: string, timeoutMs: number, tls?: BrokerTls): Promise<NodeProbe> {
  const where = redactUrl(url);
  try {
    const model = await connect(url, {
      ...tlsSocketOptions(url, tls),
      timeout: timeoutMs,
      noDelay: true,
    });
    const properties = model.connection.serverProperties as Record<string, unknown>;
    const version = typeof properties['version'] === 'string' ? properties['version'] : '?';
    const cluster = properties['cluster_name'];
    await model.close();
    return {
      url: where,
      ok: true,
      detail: `RabbitMQ ${version}${typeof cluster === 'string' ? ` (cluster ${cluster})` : ''}`,
    };
  } catch (error) {
    return {
      url: where,
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Tries one connection to each node of `HUB_AMQP_URL` (one URL, or several separated by commas); for
 * `hub doctor`. Reachable when at least one node answers: the hub fails over between them.
 */
export async function probeBroker(
  url: string,
  timeoutMs: number,
  tls?: BrokerTls,
): Promise<{ ok: boolean; detail: string; nodes: NodeProbe[] }> {
  const nodes = await Promise.all(brokerUrls(url).map((node) => probeNode(node, timeoutMs, tls)));
  const reachable = nodes.filter((node) => node.ok);
  const only = nodes[0];
  if (nodes.length === 1 && only !== undefined) {
    return only.ok
      ? { ok: true, detail: `${only.detail} at ${only.url}`, nodes }
      : {
          ok: false,
          detail: `cannot connect to ${only.url} (${only.detail}); start RabbitMQ with \`rabbitmq-server -detached\` or set HUB_AMQP_URL / ${only.url} に接続できません`,
          nodes,
        };
  }
  const lines = nodes.map(
    (node) => `${node.url}: ${node.ok ? node.detail : `down (${node.detail})`}`,
  );
  return {
    ok: reachable.length > 0,
    detail: `${String(reachable.length)} of ${String(nodes.length)} nodes reachable / ${String(nodes.length)} ノード中 ${String(reachable.length)} に接続可能 — ${lines.join('; ')}`,
    nodes,
  };
}
