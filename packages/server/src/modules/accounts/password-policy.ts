// What a password must be (issue 12): long enough, varied, not the username and not one of the
// commonly used passwords (the list zxcvbn-ts keeps, about 49,000 entries, compared ignoring case).
import { UpdraftError } from '@updraft/core';
import { dictionary } from '@zxcvbn-ts/language-common';

export const passwordRule =
  'a password has 10 to 200 characters, at least 5 of them different, and is neither the username (give or take a few characters) nor a commonly used password';

let common: Set<string> | undefined;
function isCommon(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}

/** Throws VALIDATION_FAILED (field password) with the whole rule and what broke it. */
export function checkPassword(password: string, username: string): void {
  const refuse = (why: string) => {
    throw new UpdraftError('VALIDATION_FAILED', `${passwordRule} (${why})`, {
      field: 'password',
      rule: passwordRule,
    });
  };
  const length = [...password].length;
  if (length < 10) refuse(`this one has ${length} characters`);
  if (length > 200) refuse(`this one has ${length} characters`);
  if (new Set(password).size < 5) refuse('this one repeats too few characters');
  const lower = password.toLowerCase();
  const name = username.toLowerCase();
  // The username with a few characters around it ("Frederick-2024") is the username too.
  if (name.length > 0 && new Set(lower.split(name).join('')).size < 5) refuse('this one is the username');
  if (isCommon(password)) refuse('this one is on the list of common passwords');
}
