import { expect } from 'chai';
import type { CardEvent } from '../../schemas/types.gen.js';
import { cardTransition, type CardState } from './states.js';

function run(events: readonly CardEvent[]): string[] {
  let state: CardState | undefined;
  return events.map((event) => {
    const next = cardTransition(state, event);
    if (!next.ok) return `refused ${next.code}`;
    state = next.state;
    return state;
  });
}

describe('個人番号カード state machine (card management system)', () => {
  it('takes a card through its life: 交付 → 一時停止 → 一時停止解除 → 廃止 → 回収', () => {
    expect(run(['ISSUED', 'SUSPENDED', 'SUSPENSION_LIFTED', 'REVOKED', 'RECOVERED'])).to.deep.equal(
      ['ACTIVE', 'SUSPENDED', 'ACTIVE', 'REVOKED', 'RECOVERED'],
    );
    expect(run(['ISSUED', 'REVOKED', 'RETURNED', 'ISSUED'])).to.deep.equal([
      'ACTIVE',
      'REVOKED',
      'RETURNED',
      'ACTIVE',
    ]);
  });

  it('allows continued use after 特例転入 (7-⑪) only for a valid, not suspended card', () => {
    expect(run(['ISSUED', 'CONTINUED_USE'])).to.deep.equal(['ACTIVE', 'ACTIVE']);
    expect(run(['ISSUED', 'SUSPENDED', 'CONTINUED_USE'])).to.deep.equal([
      'ACTIVE',
      'SUSPENDED',
      'refused C409',
    ]);
    expect(run(['CONTINUED_USE'])).to.deep.equal(['refused C409']);
  });

  it('refuses what the state does not allow, saying so in Japanese and English', () => {
    expect(run(['ISSUED', 'SUSPENSION_LIFTED'])).to.deep.equal(['ACTIVE', 'refused C409']);
    expect(run(['ISSUED', 'RECOVERED'])).to.deep.equal(['ACTIVE', 'refused C409']);
    expect(run(['ISSUED', 'ISSUED'])).to.deep.equal(['ACTIVE', 'refused C409']);
    expect(run(['SUSPENDED'])).to.deep.equal(['refused C409']);
    const refusal = cardTransition('ACTIVE', 'SUSPENSION_LIFTED');
    expect(refusal.ok).to.equal(false);
    if (!refusal.ok) {
      expect(refusal.reason.ja).to.equal(
        'カードの状態（有効）では「一時停止解除」を受け付けられません',
      );
      expect(refusal.reason.en).to.equal('a card in state ACTIVE does not allow SUSPENSION_LIFTED');
    }
  });
});
