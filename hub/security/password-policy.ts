/**
 * The password policy for people (`hub users add`): long enough to resist guessing at bcrypt's cost,
 * and none of the passwords a guesser tries first. Length beats composition rules (NIST SP 800-63B):
 * a passphrase of words is accepted, "Password1!" is not. The reasons are bilingual and never repeat
 * the password.
 */

/** The shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 12;

/** What a guesser tries first (compared case-insensitively, spaces ignored). */
const common = new Set([
  'password',
  'passw0rd',
  'password1',
  'password123',
  'qwerty',
  'qwertyuiop',
  'letmein',
  'welcome',
  'administrator',
  'admin',
  'changeme',
  'iloveyou',
  'juki-hub',
  'jukihub',
]);

/** Why a password is refused, or undefined when it is accepted. */
export function passwordProblem(
  username: string,
  password: string,
): { en: string; ja: string } | undefined {
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH) {
    return {
      en: `a password needs at least ${String(MIN_PASSWORD_LENGTH)} characters (a few words make a good one)`,
      ja: `パスワードは ${String(MIN_PASSWORD_LENGTH)} 文字以上にしてください（単語を並べると覚えやすく強くなります）`,
    };
  }
  const folded = password.toLowerCase().replace(/\s+/g, '');
  if (username.length >= 3 && folded.includes(username.toLowerCase())) {
    return {
      en: 'the password must not contain the user name',
      ja: 'パスワードに利用者名を含めないでください',
    };
  }
  if (new Set(folded).size < 5) {
    return {
      en: 'the password repeats too few different characters',
      ja: 'パスワードの文字の種類が少なすぎます',
    };
  }
  const stem = folded.replace(/[0-9!@#$%^&*._-]+$/, '');
  if (common.has(folded) || common.has(stem) || isRun(folded)) {
    return {
      en: 'the password is one of those guessed first (a common word or a keyboard run)',
      ja: 'パスワードが推測されやすいもの（よくある語・キーボードの並び）です',
    };
  }
  return undefined;
}

/** A (nearly) straight run such as 1234567890abc or abcdefghijkl: almost every character the next. */
function isRun(text: string): boolean {
  let steps = 0;
  for (let index = 1; index < text.length; index += 1) {
    if (text.charCodeAt(index) - text.charCodeAt(index - 1) === 1) steps += 1;
  }
  return steps >= text.length - 4;
}
