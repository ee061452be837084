/**
 * The tests' own 符号 detector, written from the format the catalogue documents (defs.json `Fugo`:
 * 32 characters of A–Z and 2–7, the last the check character Σ value × position mod 32) and
 * deliberately independent of hub/security/fugo.ts, as my-number-scan.ts is of the My Number code.
 */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** True when `value` has the 符号 shape and check character. */
export function looksLikeFugo(value: string): boolean {
  if (!/^[A-Z2-7]{32}$/.test(value)) return false;
  let sum = 0;
  for (let index = 0; index < 31; index += 1)
    sum += alphabet.indexOf(value.charAt(index)) * (index + 1);
  return alphabet.charAt(sum % 32) === value.charAt(31);
}

/** Every 符号 written in `text` (runs of the alphabet of exactly 32 characters with a valid check). */
export function fugosIn(text: string): string[] {
  return [...text.matchAll(/[A-Z2-7]+/g)]
    .map((match) => match[0])
    .filter((run) => run.length === 32 && looksLikeFugo(run));
}
