import { expect } from 'chai';
import { clientKeyOf, LoginLimiter } from './login-limiter.js';

describe('sign-in rate limits', () => {
  it('holds a user name only until the next refill step: the right password is never denied for long', () => {
    let now = 0;
    const limiter = new LoginLimiter(
      { clientBurst: 100, userBurst: 3, userRefillMs: 30_000 },
      () => now,
    );
    for (let client = 0; client < 3; client += 1) {
      const admission = limiter.admit(`203.0.113.${String(client)}`, 'op1');
      expect(admission.allowed).to.equal(true);
      if (admission.allowed) admission.ticket.failed();
    }
    const held = limiter.admit('198.51.100.7', 'OP1');
    expect(held).to.deep.equal({ allowed: false, by: 'user', retryAfterSeconds: 30 });
    now += 30_000;
    const again = limiter.admit('198.51.100.7', 'op1');
    expect(again.allowed).to.equal(true);
    if (again.allowed) again.ticket.succeeded();
    // The success gave its token back; once that is spent, unknown clients wait again ...
    const attacker = limiter.admit('203.0.113.50', 'op1');
    if (attacker.allowed) attacker.ticket.failed();
    expect(limiter.admit('203.0.113.51', 'op1').allowed).to.equal(false);
    // ... while the user's own client, known now, is not held by the user name's budget.
    expect(limiter.admit('198.51.100.7', 'op1').allowed).to.equal(true);
  });

  it('counts attempts when they start, so parallel attempts cannot exceed the budget', () => {
    const limiter = new LoginLimiter({ clientBurst: 4 }, () => 0);
    const admissions = Array.from({ length: 16 }, () => limiter.admit('192.0.2.1', 'x'));
    expect(admissions.filter((admission) => admission.allowed)).to.have.length(4);
  });

  it('forgets the oldest entries past its bound', () => {
    const limiter = new LoginLimiter({ clientBurst: 1, userBurst: 1000, maxEntries: 10 }, () => 0);
    for (let client = 0; client < 50; client += 1) limiter.admit(`10.0.0.${String(client)}`, 'x');
    expect(limiter.admit('10.0.0.49', 'x').allowed).to.equal(false);
    expect(limiter.admit('10.0.0.0', 'x').allowed).to.equal(true);
  });

  it('keys IPv6 clients by /64 and IPv4-mapped addresses as IPv4', () => {
    expect(clientKeyOf('2001:db8:1:2:aaaa::1')).to.equal('2001:db8:1:2::/64');
    expect(clientKeyOf('2001:0db8:0001:0002:ffff:0:0:9')).to.equal('2001:db8:1:2::/64');
    expect(clientKeyOf('::1')).to.equal('0:0:0:0::/64');
    expect(clientKeyOf('::ffff:192.0.2.7')).to.equal('192.0.2.7');
    expect(clientKeyOf('192.0.2.7')).to.equal('192.0.2.7');
  });
});
