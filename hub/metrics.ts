import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The hub's Prometheus metrics. Labels are route/step names, message types and reason classes only —
 * never a personal identifier, never a payload value.
 */
export interface HubMetrics {
  readonly registry: Registry;
  readonly consumed: Counter<'step'>;
  readonly published: Counter<'step' | 'message_type'>;
  readonly delivered: Counter<'step' | 'system'>;
  /** Delivery attempts per system by result (ok, error): the per-system error rate (issue 24). */
  readonly deliveryAttempts: Counter<'system' | 'result'>;
  readonly failed: Counter<'step' | 'reason'>;
  /** Messages settled per step by outcome (delivered, skipped, retried, dead-lettered, …): messages, not attempts. */
  readonly outcomes: Counter<'step' | 'outcome'>;
  readonly retried: Counter<'step'>;
  readonly deadLettered: Counter<'step' | 'reason'>;
  readonly duplicates: Counter<'step'>;
  /** Messages a step's route conditions (hub-route) did not take. */
  readonly skipped: Counter<'step'>;
  /** Copies that waited because another replica held their business key (issue 22). */
  readonly claimWaits?: Counter<'step'>;
  readonly processingSeconds: Histogram<'step'>;
  readonly publishConfirmSeconds: Histogram<'exchange'>;
  readonly outcomeBatchSize: Histogram;
  /** Sign-ins by person (HTTP Basic, editor) by result: ok, denied, limited-client, limited-user, busy. */
  readonly signIns: Counter<'result'>;
}

/** Creates a registry with the hub's metrics (one per hub instance, so tests do not share counters). */
export function createMetrics(
  options: {
    defaultMetrics?: boolean;
    /** Labels every series with the replica and host, so replicas' series never merge. */
    replica?: { readonly id: string; readonly host: string };
  } = {},
): HubMetrics {
  const registry = new Registry();
  if (options.replica !== undefined)
    registry.setDefaultLabels({ replica: options.replica.id, host: options.replica.host });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  const registers = [registry];
  return {
    registry,
    consumed: new Counter({
      name: 'hub_messages_consumed_total',
      help: 'Messages taken from a step queue / ステップのキューから受け取ったメッセージ数',
      labelNames: ['step'],
      registers,
    }),
    published: new Counter({
      name: 'hub_messages_published_total',
      help: 'Messages published and confirmed / 発行し確認されたメッセージ数',
      labelNames: ['step', 'message_type'],
      registers,
    }),
    delivered: new Counter({
      name: 'hub_messages_delivered_total',
      help: 'Messages delivered through a connector / 連携先に配送したメッセージ数',
      labelNames: ['step', 'system'],
      registers,
    }),
    deliveryAttempts: new Counter({
      name: 'hub_delivery_attempts_total',
      help: 'Delivery attempts per system by result (ok, error) / 連携先への配送試行数（結果別）',
      labelNames: ['system', 'result'],
      registers,
    }),
    outcomes: new Counter({
      name: 'hub_step_outcomes_total',
      help: 'Messages settled per step by outcome / ステップ別・結果別の処理済みメッセージ数',
      labelNames: ['step', 'outcome'],
      registers,
    }),
    failed: new Counter({
      name: 'hub_messages_failed_total',
      help: 'Processing failures by reason class / 処理失敗数（理由別）',
      labelNames: ['step', 'reason'],
      registers,
    }),
    retried: new Counter({
      name: 'hub_messages_retried_total',
      help: 'Messages scheduled for a delayed retry / 再試行に回したメッセージ数',
      labelNames: ['step'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'hub_messages_dead_lettered_total',
      help: 'Messages dead-lettered by reason class / デッドレター化したメッセージ数（理由別）',
      labelNames: ['step', 'reason'],
      registers,
    }),
    signIns: new Counter({
      name: 'hub_sign_ins_total',
      help: 'Password sign-ins by result (ok, denied, limited-client, limited-user, busy) / サインイン数（結果別）',
      labelNames: ['result'],
      registers,
    }),
    claimWaits: new Counter({
      name: 'hub_claim_waits_total',
      help: 'Polls of a copy whose business key another replica held / 他のレプリカが処理中のため待機した回数',
      labelNames: ['step'],
      registers,
    }),
    duplicates: new Counter({
      name: 'hub_messages_duplicate_total',
      help: 'Duplicates acknowledged without reprocessing / 重複として再処理せず確認したメッセージ数',
      labelNames: ['step'],
      registers,
    }),
    skipped: new Counter({
      name: 'hub_messages_skipped_total',
      help: "Messages a step's route conditions did not take / 振り分け条件に当たらずスキップしたメッセージ数",
      labelNames: ['step'],
      registers,
    }),
    processingSeconds: new Histogram({
      name: 'hub_step_processing_seconds',
      help: 'Time from delivery to ack per step / 受信から確認応答までの時間',
      labelNames: ['step'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    publishConfirmSeconds: new Histogram({
      name: 'hub_publish_confirm_seconds',
      help: 'Time to broker confirm / ブローカー確認までの時間',
      labelNames: ['exchange'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    outcomeBatchSize: new Histogram({
      name: 'hub_outcome_batch_size',
      help: 'Outcome rows per group commit / グループコミット当たりの処理結果行数',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    }),
  };
}
