import { expect } from 'chai';
import { passwordProblem } from './password-policy.js';

describe('password policy', () => {
  it('accepts a passphrase of words and refuses short, named, repetitive and common passwords', () => {
    expect(passwordProblem('op1', 'correct horse battery')).to.equal(undefined);
    expect(passwordProblem('op1', '窓口の桜が三月の末に咲く日')).to.equal(undefined);
    expect(passwordProblem('op1', 'short one')?.en).to.contain('12 characters');
    expect(passwordProblem('tanaka', 'Tanaka-is-the-operator')?.en).to.contain('user name');
    expect(passwordProblem('op1', 'aaaaaaaaaaaaaaaa')?.en).to.contain('different characters');
    expect(passwordProblem('op1', 'Password1234!')?.en).to.contain('guessed first');
    expect(passwordProblem('op1', '1234567890abc')?.en).to.contain('guessed first');
    expect(passwordProblem('op1', 'qwertyuiop!!')?.ja).to.contain('推測');
  });

  it('never repeats the password in its reason', () => {
    const problem = passwordProblem('op1', 'password12345');
    expect(`${problem?.en ?? ''} ${problem?.ja ?? ''}`).to.not.contain('password12345');
  });
});
