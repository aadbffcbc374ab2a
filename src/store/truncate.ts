/**
 * Caps command output by UTF-8 bytes. Keeps the head AND the tail: the first lines say what ran, the last
 * lines usually say why it failed. Cuts only on character boundaries so stored text is valid UTF-8.
 */

export interface Capped {
  readonly text: string;
  readonly truncated: boolean;
}

const isContinuation = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80;

const marker = (omitted: number): string => `\n[… fleet: ${omitted} bytes omitted …]\n`;

/** Returns `text` unchanged when it fits in `maxBytes` UTF-8 bytes, else head + marker + tail within `maxBytes`. */
export function capUtf8(text: string, maxBytes: number): Capped {
  // Fast path: a UTF-16 code unit never takes more than 3 UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return { text, truncated: false };
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return { text, truncated: false };

  // The marker for the largest possible count is at least as long as the real one, so we stay under maxBytes.
  const budget = maxBytes - Buffer.byteLength(marker(buf.length));
  if (budget <= 0) {
    let end = Math.max(0, maxBytes);
    while (end > 0 && isContinuation(buf[end])) end--;
    return { text: buf.toString('utf8', 0, end), truncated: true };
  }
  let headEnd = Math.floor(budget / 2);
  while (headEnd > 0 && isContinuation(buf[headEnd])) headEnd--;
  let tailStart = buf.length - (budget - headEnd);
  while (tailStart < buf.length && isContinuation(buf[tailStart])) tailStart++;
  const omitted = tailStart - headEnd;
  return {
    text: buf.toString('utf8', 0, headEnd) + marker(omitted) + buf.toString('utf8', tailStart),
    truncated: true,
  };
}
