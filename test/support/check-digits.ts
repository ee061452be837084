/**
 * Check digits of the codes in messages, written from DOMAIN.md §2.3 and §3.1 for the tests (never
 * imported from the hub's schemas or hub/security, whose rules they check).
 */
export { isMyNumber, myNumberCheckDigit } from './my-number-scan.js';

/** 全国地方公共団体コード: weights 6 5 4 3 2 over the first five digits; cd = last digit of 11 − (Σ mod 11). */
export function lgCodeCheckDigit(first5: string): number {
  if (!/^[0-9]{5}$/.test(first5)) throw new RangeError('5 digits expected');
  const weights = [6, 5, 4, 3, 2];
  let sum = 0;
  for (let index = 0; index < 5; index += 1) sum += Number(first5[index]) * (weights[index] ?? 0);
  return (11 - (sum % 11)) % 10;
}

/** True when `code` is 6 ASCII digits with a valid 地方公共団体コード check digit. */
export function isLgCode(code: string): boolean {
  return /^[0-9]{6}$/.test(code) && lgCodeCheckDigit(code.slice(0, 5)) === Number(code[5]);
}
