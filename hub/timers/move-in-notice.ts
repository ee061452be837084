/**
 * The 転入通知 timer (affair 1, 1-⑨⑩ on the 転出地 side; j710 未着者): a recorded 転出 opens a deadline
 * in the store, due a number of the city's business days after the planned move-out date
 * (`HUB_MOVE_IN_NOTICE_DAYS`, counted with the business calendar); the 転入通知 from the new
 * municipality closes it (latest wins: an older resend changes nothing); every replica scans for
 * deadlines past due and the one whose atomic claim succeeds raises `move-in.notice.overdue`.
 * Nothing is kept in memory between scans: a restart or another replica carries on from the rows.
 *
 * The timer listens on its own quorum queue (a hub service, not a route: it delivers nothing to a
 * system), settles every delivery through `settle`, and names residents only by a keyed hash of the
 * 住民票コード and the 宛名番号.
 */
import { serialPoll } from './serial-poll.js';
import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  DLX_EXCHANGE,
  EVENTS_EXCHANGE,
  settle,
  type Broker,
  type Consumer,
  type Delivery,
  type Topology,
} from '../broker/index.js';
import {
  businessCalendar,
  japanDayOf,
  type BusinessCalendar,
} from '../calendar/business-calendar.js';
import { UnroutableError } from '../errors.js';
import { loggerFor } from '../logger.js';
import { definePlugin } from '../plugin.js';
import type { KeyRing } from '../security/keys.js';
import { moveInDeadlines, type MoveInDeadlines } from '../store/move-in-deadlines.js';
import type { Store } from '../store/types.js';
import type { SchemaRegistry } from '../../schemas/registry.js';

const log = loggerFor('move-in-timer');

/** The timer's queue. */
export const MOVE_IN_TIMER_QUEUE = 'hub.timer.move-in-notice';

/** The message type the timer raises. */
export const OVERDUE_TYPE = 'move-in.notice.overdue';

/** Namespace of the overdue events' message ids (one id per deadline: a re-raise is a duplicate). */
const OVERDUE_ID_NAMESPACE = '6b0f0c52-2f5e-4e8a-9f3c-1a7d17c0ffee';

/** Keyed-hash purpose of the deadline's subject. */
const SUBJECT_PURPOSE = 'move-in-notice';

/** The queue and bindings the timer needs. */
export function moveInTimerTopology(): Topology {
  return {
    exchanges: [],
    queues: [
      {
        name: MOVE_IN_TIMER_QUEUE,
        arguments: {
          'x-queue-type': 'quorum',
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
          'x-max-length': 1_000_000,
          'x-delivery-limit': 20,
          'x-dead-letter-exchange': DLX_EXCHANGE,
        },
      },
    ],
    bindings: ['resident.movement.recorded', 'move-in.notice.received'].map((routingKey) => ({
      exchange: EVENTS_EXCHANGE,
      queue: MOVE_IN_TIMER_QUEUE,
      routingKey,
    })),
  };
}

/** What the timer needs. */
export interface MoveInTimerOptions {
  readonly lgCode: string;
  readonly broker: Broker;
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly catalogue: SchemaRegistry;
  readonly calendar: BusinessCalendar;
  /** Business days after the planned move-out date before a missing notice is overdue. */
  readonly noticeDays: number;
  /** Milliseconds between scans (0: no scans, only the deadlines are kept). */
  readonly pollMs: number;
  /** How long a claim holds before another replica may raise the deadline again. */
  readonly leaseMs?: number;
  /** "Now" (tests); default the clock. */
  readonly now?: () => Date;
}

/** A running timer. */
export interface MoveInTimer {
  /** Runs one scan now; resolves with the number of overdue events raised. */
  scan(): Promise<number>;
  stop(timeoutMs?: number): Promise<void>;
}

interface Movement {
  lgCode?: unknown;
  historyNo?: unknown;
  movementReason?: { reason?: unknown };
  plannedMoveOutOn?: unknown;
  plannedDestination?: { domestic?: { lgCode?: unknown } };
  resident?: { juminhyoCode?: unknown; atenaNumber?: unknown };
}

interface Notice {
  lgCode?: unknown;
  juminhyoCode?: unknown;
  noticeIssuedAt?: unknown;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Starts the timer: declares its queue, consumes it and scans every `pollMs`. */
export async function startMoveInTimer(options: MoveInTimerOptions): Promise<MoveInTimer> {
  const deadlines: MoveInDeadlines = moveInDeadlines(options.store);
  const now = options.now ?? (() => new Date());
  const owner = `${process.pid.toString(36)}-${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 60_000;
  // Every key id's hash: a deadline opened before a key rotation is still found by its notice.
  const subjectKeys = (code: string): string[] => {
    const keys = options.keyRing.ids.flatMap((id) => {
      const hasher = options.keyRing.hasherFor(id);
      return hasher === undefined ? [] : [hasher.hash(SUBJECT_PURPOSE, code)];
    });
    return [...new Set(keys)];
  };

  async function take(delivery: Delivery): Promise<void> {
    const type = str(delivery.properties.type) ?? delivery.routingKey;
    let body: unknown;
    try {
      body = JSON.parse(delivery.content.toString('utf8'));
    } catch {
      // Not the timer's to judge: the routes dead-letter unreadable messages with their reason.
      return;
    }
    if (type === 'resident.movement.recorded') {
      const movement = body as Movement;
      const code = str(movement.resident?.juminhyoCode);
      const atenaNumber = str(movement.resident?.atenaNumber);
      const planned = str(movement.plannedMoveOutOn);
      if (
        movement.movementReason?.reason !== 'DOMESTIC_MOVE_OUT' ||
        movement.lgCode !== options.lgCode ||
        code === undefined ||
        atenaNumber === undefined ||
        planned === undefined ||
        typeof movement.historyNo !== 'number'
      ) {
        return;
      }
      const [subjectKey] = subjectKeys(code);
      if (subjectKey === undefined) return;
      await deadlines.open(
        {
          lgCode: options.lgCode,
          subjectKey,
          atenaNumber,
          historyNo: movement.historyNo,
          plannedMoveOutOn: planned,
          destinationLgCode: str(movement.plannedDestination?.domestic?.lgCode),
          dueOn: options.calendar.addBusinessDays(planned, options.noticeDays),
        },
        now(),
      );
    } else if (type === 'move-in.notice.received') {
      const notice = body as Notice;
      const code = str(notice.juminhyoCode);
      const issuedAt = str(notice.noticeIssuedAt);
      if (notice.lgCode !== options.lgCode || code === undefined || issuedAt === undefined) return;
      for (const subjectKey of subjectKeys(code)) {
        const result = await deadlines.close(options.lgCode, subjectKey, issuedAt, now());
        if (result.superseded)
          log.info(
            { messageId: delivery.properties.messageId },
            'older 転入通知 resend: superseded',
          );
      }
    }
  }

  const consumer: Consumer = await (async () => {
    await options.broker.declareService(moveInTimerTopology());
    return options.broker.consume({
      queue: MOVE_IN_TIMER_QUEUE,
      prefetch: 16,
      handler: async (delivery) => {
        try {
          await take(delivery);
        } catch (error) {
          log.warn(
            {
              messageId: delivery.properties.messageId,
              error: error instanceof Error ? error.name : 'error',
            },
            'deadline not recorded; the message goes back to the queue',
          );
          await settle(delivery, { kind: 'requeue', pauseMs: 1000 });
          return;
        }
        await settle(delivery, { kind: 'ack' });
      },
    });
  })();

  async function scan(): Promise<number> {
    const at = now();
    const today = japanDayOf(at);
    // Overdue once a whole business day has passed after the due day.
    const lastBusinessDay = options.calendar.isBusinessDay(today)
      ? today
      : options.calendar.addBusinessDays(today, -1);
    const claimed = await deadlines.claimDue(lastBusinessDay, owner, leaseMs, 100, at);
    let raised = 0;
    for (const deadline of claimed) {
      const body = {
        lgCode: deadline.lgCode,
        atenaNumber: deadline.atenaNumber,
        historyNo: deadline.historyNo,
        plannedMoveOutOn: deadline.plannedMoveOutOn,
        ...(deadline.destinationLgCode === undefined
          ? {}
          : { plannedDestinationLgCode: deadline.destinationLgCode }),
        daysOverdue: Math.max(1, options.calendar.businessDaysBetween(deadline.dueOn, today)),
        detectedAt: at.toISOString(),
      };
      const { issues } = options.catalogue.validate(OVERDUE_TYPE, body);
      if (issues.length > 0) {
        log.error(
          { deadline: deadline.id, path: issues[0]?.path },
          'overdue event fails its schema',
        );
        continue;
      }
      const messageId = uuidv5(
        `${deadline.lgCode}:${deadline.subjectKey}:${String(deadline.historyNo)}`,
        OVERDUE_ID_NAMESPACE,
      );
      try {
        await options.broker.publisher.publish(
          EVENTS_EXCHANGE,
          OVERDUE_TYPE,
          Buffer.from(JSON.stringify(body), 'utf8'),
          {
            messageId,
            type: OVERDUE_TYPE,
            appId: 'hub',
            timestamp: Math.floor(at.getTime() / 1000),
          },
        );
      } catch (error) {
        if (!(error instanceof UnroutableError)) {
          // The lease expires and this or another replica raises it again (same message id).
          log.warn(
            { deadline: deadline.id },
            'overdue event not published; raised again after the lease',
          );
          continue;
        }
        log.warn(
          { deadline: deadline.id, messageType: OVERDUE_TYPE },
          'no route takes move-in.notice.overdue: add one in the flows / 転入通知未着を受けるルートがありません',
        );
      }
      if (await deadlines.markRaised(deadline.id, owner, now())) raised += 1;
    }
    return raised;
  }

  const poller = serialPoll(scan, options.pollMs, (error: unknown) => {
    log.warn(
      { error: error instanceof Error ? error.name : 'error' },
      'overdue scan failed; next scan retries',
    );
  });
  return {
    scan: () => poller.run(),
    async stop(timeoutMs = 5000) {
      const settled = poller.stop();
      consumer.pause();
      await consumer.drain(timeoutMs);
      await settled;
      await consumer.close();
    },
  };
}

/** The timer as a hub plugin (`hub start`): its settings from the configuration. */
export const moveInTimerPlugin = definePlugin({
  name: 'move-in-timer',
  needs: ['config', 'broker', 'store', 'keyRing', 'catalogue'],
  async start(context) {
    const timer = await startMoveInTimer({
      lgCode: context.config.lgCode,
      broker: context.broker,
      store: context.store,
      keyRing: context.keyRing,
      catalogue: context.catalogue,
      calendar: businessCalendar({
        closures: context.config.cityClosures,
        morning: context.config.businessMorning,
      }),
      noticeDays: context.config.moveInNoticeDays,
      pollMs: context.config.moveInTimerPollMs,
    });
    return { stop: () => timer.stop() };
  },
});
