/**
 * Bounded capture of one output stream. A runaway command (say `journalctl` without limits) must
 * not take the controller's memory with it: past the cap, bytes are counted and dropped, and the
 * text ends with a marker saying how much was lost. The stream is still read to the end so the
 * remote side never blocks on flow control.
 */

/** Default cap per stream: 16 MiB. */
export const DEFAULT_OUTPUT_CAP_BYTES = 16 * 1024 * 1024;

export class CappedOutput {
  readonly #cap: number;
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #dropped = 0;

  constructor(capBytes = DEFAULT_OUTPUT_CAP_BYTES) {
    this.#cap = capBytes;
  }

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = this.#cap - this.#kept;
    if (buf.length <= room) {
      this.#chunks.push(buf);
      this.#kept += buf.length;
      return;
    }
    if (room > 0) {
      this.#chunks.push(buf.subarray(0, room));
      this.#kept += room;
    }
    this.#dropped += buf.length - Math.max(room, 0);
  }

  get droppedBytes(): number {
    return this.#dropped;
  }

  /** UTF-8 text (invalid sequences become U+FFFD), with a truncation marker when bytes were dropped. */
  text(): string {
    const text = Buffer.concat(this.#chunks, this.#kept).toString('utf8');
    if (this.#dropped === 0) return text;
    return `${text}\n[fleet: output truncated at ${this.#cap} bytes, ${this.#dropped} more bytes dropped]\n`;
  }
}
