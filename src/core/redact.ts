/**
 * Secrets (become passwords, key passphrases, vars named secret) must never reach the DB, logs or
 * reports. Everything that leaves the engine for storage or a terminal passes through a redactor.
 */
export type Redactor = ((text: string) => string) & {
  /**
   * True when no secret is known, so nothing can be masked: serialising a big value (a host's facts)
   * may then skip the call per string value.
   */
  readonly masksNothing?: () => boolean;
};

const IDENTITY: Redactor = Object.assign((t: string) => t, { masksNothing: () => true });

export const MASK = '********';

/** Masks every occurrence of each secret (ignoring empty and trivially short ones that would mangle output). */
export function makeRedactor(secrets: Iterable<string | undefined>): Redactor {
  const list = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 3))]
    // Longest first so a secret that contains another is masked whole.
    .sort((a, b) => b.length - a.length);
  if (list.length === 0) return IDENTITY;
  return (text: string) => {
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
  #redactor: Redactor = IDENTITY;

  add(secrets: Iterable<string | undefined>): void {
    for (const s of secrets) if (typeof s === 'string') this.#secrets.add(s);
    this.#redactor = makeRedactor(this.#secrets);
  }

  readonly redact: Redactor = Object.assign((text: string) => this.#redactor(text), {
    masksNothing: () => this.#redactor.masksNothing?.() === true,
  });
}
