/**
 * Secrets (become passwords, key passphrases, vars named secret) must never reach the DB, logs or
 * reports. Everything that leaves the engine for storage or a terminal passes through a redactor.
 */
export type Redactor = (text: string) => string;

export const MASK = '********';

/** Masks every occurrence of each secret (ignoring empty and trivially short ones that would mangle output). */
export function makeRedactor(secrets: Iterable<string | undefined>): Redactor {
  const list = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 3))]
    // Longest first so a secret that contains another is masked whole.
    .sort((a, b) => b.length - a.length);
  if (list.length === 0) return (t) => t;
  return (text) => {
    let out = text;
    for (const s of list) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  };
}

/**
 * A redactor that learns secrets as they become known. A command opens its store before it has
 * read the inventory (whose hosts carry become passwords), so the store is given `mask.redact`
 * and every secret is added before the run records anything.
 */
export class SecretMask {
  #secrets = new Set<string>();
  #redactor: Redactor = (t) => t;

  add(secrets: Iterable<string | undefined>): void {
    for (const s of secrets) if (typeof s === 'string') this.#secrets.add(s);
    this.#redactor = makeRedactor(this.#secrets);
  }

  readonly redact: Redactor = (text) => this.#redactor(text);
}
