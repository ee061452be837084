import { expect } from 'chai';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e } from './support.js';

/** 住民票コード of synthetic resident `seed` (0000 + 6 digits + check digit), computed here from DOMAIN §3.2. */
function juminhyoCodeOf(seed: number): string {
  const base = `0000${String(seed).padStart(6, '0')}`;
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const sum = Array.from({ length: base.length }, (_, index) => base.charAt(index)).reduce(
    (total, digit, index) => total + Number(digit) * (weights[index] ?? 0),
    0,
  );
  const remainder = sum % 11;
  return `${base}${String(remainder <= 1 ? 0 : 11 - remainder)}`;
}

const life = ['ISSUED', 'SUSPENDED', 'SUSPENSION_LIFTED', 'REVOKED', 'RECOVERED'] as const;

describe('e2e affair 10: card events to the 個人番号カード管理システム', function () {
  this.timeout(90_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e();
  });
  after(async () => {
    await e2e.stop();
  });

  async function eventsAtCard(code: string): Promise<string[]> {
    const received = await e2e.received('CARD_MGMT');
    return received.messages
      .filter(
        (m) => m.messageType === 'mynumber-card.status-changed' && m.body['juminhyoCode'] === code,
      )
      .map((m) => String(m.body['cardEvent']));
  }

  it("delivers each card's life (交付 → 一時停止 → 一時停止解除 → 廃止 → 回収) in order, cards interleaved", async () => {
    const before = await e2e.deadLetters();
    const seeds = [501, 502, 503, 504];
    // One burst, the cards interleaved: event i of every card before event i + 1 of any.
    const events = life.flatMap((cardEvent) => seeds.map((seed) => ({ seed, cardEvent })));
    // The first 交付 meets a passing outage: its retry must not let the card's later events by.
    await e2e.post('CARD_MGMT', '/fail-next', { count: 1 });
    await e2e.post('KIZON_JUKI', '/trigger/card-events', { events });
    await eventually(
      async () => (await e2e.received('CARD_MGMT')).count >= seeds.length * life.length,
      60_000,
      'every event at the card system',
    );
    for (const seed of seeds) {
      const code = juminhyoCodeOf(seed);
      expect(await eventsAtCard(code), `card ${String(seed)}`).to.deep.equal([...life]);
      const state = (await e2e.post('CARD_MGMT', '/card-state', { juminhyoCode: code })) as {
        state: string;
      };
      expect(state.state).to.equal('RECOVERED');
    }
    expect((await e2e.received('CARD_MGMT')).count).to.equal(seeds.length * life.length);
    expect(await e2e.newDeadLetters(before)).to.deep.equal([]);
  });

  it("dead-letters an event the card's state does not allow, with the card system's reason", async () => {
    const before = await e2e.deadLetters();
    const code = juminhyoCodeOf(601);
    await e2e.post('KIZON_JUKI', '/trigger/card-events', {
      events: [
        { seed: 601, cardEvent: 'ISSUED' },
        // Not suspended: the card system refuses to lift a suspension.
        { seed: 601, cardEvent: 'SUSPENSION_LIFTED' },
      ],
    });
    let letters: Awaited<ReturnType<E2e['newDeadLetters']>> = [];
    await eventually(
      async () => {
        letters = await e2e.newDeadLetters(before);
        return letters.length > 0;
      },
      60_000,
      'the refused event in the dead-letter queue',
    );
    expect(letters).to.have.length(1);
    const letter = letters[0];
    expect(letter?.type).to.equal('mynumber-card.status-changed');
    expect(letter?.reasonClass).to.equal('connector');
    expect(JSON.parse(letter?.body ?? '{}')).to.include({
      juminhyoCode: code,
      cardEvent: 'SUSPENSION_LIFTED',
    });
    // The card system's own code and reason, in both languages.
    expect(letter?.reasonJa).to.contain('C409').and.contain('一時停止解除');
    expect(letter?.reasonEn).to.contain('C409').and.contain('SUSPENSION_LIFTED');
    // The card kept its state and took only the issue.
    expect(await eventsAtCard(code)).to.deep.equal(['ISSUED']);
    const state = (await e2e.post('CARD_MGMT', '/card-state', { juminhyoCode: code })) as {
      state: string;
    };
    expect(state.state).to.equal('ACTIVE');
  });
});
