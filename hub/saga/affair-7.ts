/**
 * The hub's code for the sagas of affair 7 (特例転入, 7-①–⑪) and its mirror 1-⑧ (特例転出: this
 * city's 転出証明書情報 for the city that asks). The flows declare the steps (flows/07-affair-7.json);
 * this module is what each named step does. Every request carries the step's idempotency key, so a
 * step sent again after a crash is taken once by the system. Bodies carry codes and dates; nothing
 * here is logged but ids.
 */
import { cardKanriClient } from '../../connectors/card-kanri/client.js';
import { postBytes } from '../../connectors/runtime/http-sink.js';
import { descriptorOf, type SimSystem } from '../../connectors/runtime/systems.js';
import { HubError } from '../errors.js';
import type { SagaCode, StepContext } from './runner.js';

/** Where the systems are. */
export interface Affair7Options {
  readonly lgCode: string;
  readonly urlOf: (system: SimSystem) => string;
  readonly timeoutMs?: number;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

class NoSpecialMoveOutError extends HubError {
  constructor() {
    const reason = {
      en: 'the registry has no 特例転出 of this resident: answer the requesting city by the paper route',
      ja: '既存住基にこの住民の特例転出の記録がありません。紙の転出証明書での手続きを依頼元に連絡してください',
    };
    super('HUB_SAGA_NO_SPECIAL_MOVE_OUT', reason.en, 'dead-letter', {
      reasonClass: 'connector',
      reason,
    });
  }
}

/** The code of `special-move-in` (affair 7) and `special-move-out` (1-⑧). */
export function affair7Sagas(options: Affair7Options): Record<string, SagaCode> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const send = async (
    system: SimSystem,
    messageType: string,
    context: StepContext,
    body: Record<string, unknown>,
  ): Promise<string> =>
    postBytes(system, `${options.urlOf(system)}/inbox`, JSON.stringify(body), {
      contentType: 'application/json',
      timeoutMs,
      headers: {
        'idempotency-key': context.messageId,
        'x-message-type': messageType,
        'x-correlation-id': context.correlationId,
      },
      myNumberInBody: descriptorOf(system).myNumber === true,
    });
  const card = () => cardKanriClient({ baseUrl: options.urlOf('CARD_MGMT'), timeoutMs });
  const common = (context: StepContext) => ({
    correlationId: context.correlationId,
    lgCode: options.lgCode,
    juminhyoCode: str(context.input['cardHolderJuminhyoCode']),
  });

  const moveIn: SagaCode = {
    subjectOf: (input) => str(input['cardHolderJuminhyoCode']),
    admits: (input) => input['lgCode'] === options.lgCode,
    steps: {
      // 7-①: the counter accepted the 特例転入 (the trigger itself; recorded as the first step).
      accept: () => Promise.resolve(),
      // 7-②: request the 転出証明書情報 from the 転出地 through the CS.
      'request-certificate': async (context) => {
        await send('JUKINET_CS', 'special-move-in.certificate-info.requested', context, {
          correlationId: context.correlationId,
          lgCode: options.lgCode,
          fromLgCode: str(context.input['fromLgCode']),
          cardHolderJuminhyoCode: str(context.input['cardHolderJuminhyoCode']),
        });
      },
      // 7-④: the 転入 at 既存住基, from the 転出証明書情報 (7-③'s reply).
      'move-in': async (context) => {
        await send('KIZON_JUKI', 'special-move-in.move-in.requested', context, {
          ...common(context),
          atenaNumber: str(context.input['atenaNumber']),
          movedInOn: str(context.input['movedInOn']),
          certificateInfo: await context.reply('receive-certificate'),
        });
      },
      // 7-⑤: the CS's 本人確認情報.
      'cs-identity-update': async (context) => {
        await send('JUKINET_CS', 'special-move-in.identity-info.updated', context, {
          ...common(context),
          movedInOn: str(context.input['movedInOn']),
        });
      },
      // 7-⑥: the CS notifies the 都道府県サーバ.
      'prefecture-notice': async (context) => {
        await send(
          'JUKINET_CS',
          'special-move-in.prefecture-notice.sent',
          context,
          common(context),
        );
      },
      // 7-⑦: the 転入通知 for the 転出地, to the CS (7-⑧ is the CS sending it on; its report closes it).
      'move-in-notice': async (context) => {
        await send('JUKINET_CS', 'special-move-in.move-in-notice.sent', context, {
          ...common(context),
          fromLgCode: str(context.input['fromLgCode']),
          movedInOn: str(context.input['movedInOn']),
        });
      },
      // 7-⑨: 共通基盤's 宛名.
      'atena-update': async (context) => {
        await send('KYOTSU_KIBAN', 'special-move-in.atena.updated', context, {
          ...common(context),
          atenaNumber: str(context.input['atenaNumber']),
        });
      },
      // 7-⑩: 中間サーバ's 住民票関係情報 through the 団体内統合宛名.
      'chukan-update': async (context) => {
        await send('TOUGOU_ATENA', 'special-move-in.juminhyo-kankei.updated', context, {
          ...common(context),
          atenaNumber: str(context.input['atenaNumber']),
        });
      },
      // 7-⑪: the card's continued use at the card management system.
      'card-continued-use': async (context) => {
        await card().send({
          messageId: context.messageId,
          messageType: 'mynumber-card.status-changed',
          correlationId: context.correlationId,
          content: JSON.stringify({
            lgCode: options.lgCode,
            juminhyoCode: str(context.input['cardHolderJuminhyoCode']),
            cardEvent: 'CONTINUED_USE',
            eventAt: new Date().toISOString(),
          }),
        });
      },
    },
  };

  const moveOut: SagaCode = {
    subjectOf: (input) => str(input['cardHolderJuminhyoCode']),
    // Only requests for residents who left this city.
    admits: (input) => input['fromLgCode'] === options.lgCode,
    steps: {
      'accept-request': () => Promise.resolve(),
      // 1-⑧: the 転出証明書情報 from 既存住基, sent through the CS to the city that asked.
      'send-certificate': async (context) => {
        let certificate: unknown;
        try {
          const text = await postBytes(
            'KIZON_JUKI',
            `${options.urlOf('KIZON_JUKI')}/special-move-out/certificate-info`,
            JSON.stringify({ juminhyoCode: str(context.input['cardHolderJuminhyoCode']) }),
            { contentType: 'application/json', timeoutMs },
          );
          certificate = JSON.parse(text) as unknown;
        } catch (error) {
          if (error instanceof HubError && error.disposition === 'dead-letter')
            throw new NoSpecialMoveOutError();
          throw error;
        }
        await send('JUKINET_CS', 'special-move-out.certificate-info.sent', context, {
          correlationId: context.correlationId,
          lgCode: str(context.input['lgCode']),
          fromLgCode: options.lgCode,
          certificateInfo: certificate,
        });
      },
    },
  };
  return { 'special-move-in': moveIn, 'special-move-out': moveOut };
}
