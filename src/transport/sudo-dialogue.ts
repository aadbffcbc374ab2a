/**
 * The conversation with sudo on a command's stdio, so that the become password goes to sudo and
 * only to sudo:
 * - the password is written only after sudo printed our random prompt on stderr (so with NOPASSWD
 *   rules or cached credentials it is never sent, and never reaches the command's stdin);
 * - a second prompt means the password was rejected: stdin is closed so sudo gives up at once;
 * - the command's own stdin is written only after the marker line shows on stdout (sudo let us in);
 * - the prompt and the marker are removed from what the caller sees.
 */
import { StringDecoder } from 'node:string_decoder';
import type { BecomeProtocol } from './remote-command.js';

/** Bytes of sudo chatter (lecture, prompts) buffered before the command starts. */
const MAX_PENDING = 64 * 1024;

export interface SudoDialogueIO {
  write(data: Buffer): void;
  endInput(): void;
  /** sudo has let the command start: send the command's stdin now. Gets stderr held back so far. */
  onRunning(heldStderr: Buffer): void;
}

export class SudoDialogue {
  readonly #protocol: BecomeProtocol;
  readonly #password: string | undefined;
  readonly #io: SudoDialogueIO;
  #running = false;
  #promptsSeen = 0;
  /** Prompts already counted inside #pendingErr. */
  #promptsInPending = 0;
  #pendingOut = Buffer.alloc(0);
  #pendingErr = '';
  readonly #errDecoder = new StringDecoder('utf8');
  /** True once sudo asked twice: the password we sent was wrong. */
  passwordRejected = false;

  constructor(protocol: BecomeProtocol, password: string | undefined, io: SudoDialogueIO) {
    this.#protocol = protocol;
    this.#password = password;
    this.#io = io;
  }

  /** Feeds stdout; returns the part that belongs to the command. */
  stdout(chunk: Buffer): Buffer {
    if (this.#running) return chunk;
    this.#pendingOut = Buffer.concat([this.#pendingOut, chunk]);
    const marker = Buffer.from(`${this.#protocol.marker}\n`);
    if (this.#pendingOut.length < marker.length && marker.subarray(0, this.#pendingOut.length).equals(this.#pendingOut)) {
      return Buffer.alloc(0); // could still become the marker
    }
    const rest = this.#pendingOut.subarray(0, marker.length).equals(marker) ? this.#pendingOut.subarray(marker.length) : this.#pendingOut;
    this.#pendingOut = Buffer.alloc(0);
    this.#start();
    return rest;
  }

  /** Feeds stderr; returns the part that belongs to the command (sudo's prompts removed). */
  stderr(chunk: Buffer): Buffer {
    if (this.#running) return chunk;
    this.#pendingErr += this.#errDecoder.write(chunk);
    const prompts = this.#pendingErr.split(this.#protocol.prompt).length - 1;
    for (; this.#promptsInPending < prompts; this.#promptsInPending++) this.#onPrompt(++this.#promptsSeen);
    if (this.#pendingErr.length > MAX_PENDING) return this.#flushErr();
    return Buffer.alloc(0);
  }

  /** What is left once the process is gone, plus a clear explanation when sudo refused us. */
  finish(): { stdout: Buffer; stderr: string } {
    const stdout = this.#pendingOut;
    this.#pendingOut = Buffer.alloc(0);
    let stderr = this.#flushErr().toString('utf8');
    if (this.passwordRejected) {
      stderr = `fleet: sudo rejected the become password (become user ${this.#protocol.user})\n${stderr}`;
    } else if (!this.#running && !this.#protocol.withPassword && /password is required/.test(stderr)) {
      stderr =
        `fleet: sudo needs a password to become ${this.#protocol.user} and none was given ` +
        `(set ansible_become_password, FLEET_BECOME_PASSWORD or --ask-become-pass)\n${stderr}`;
    }
    return { stdout, stderr };
  }

  #onPrompt(n: number): void {
    if (n === 1 && this.#password !== undefined) {
      this.#io.write(Buffer.from(`${this.#password}\n`));
      return;
    }
    // Asked again: the password was wrong (or we had none). EOF makes sudo fail now, not hang.
    this.passwordRejected = this.#password !== undefined;
    this.#io.endInput();
  }

  #start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#io.onRunning(this.#flushErr());
  }

  #flushErr(): Buffer {
    const text = this.#pendingErr.split(this.#protocol.prompt).join('');
    this.#pendingErr = '';
    this.#promptsInPending = 0;
    return Buffer.from(text);
  }
}
