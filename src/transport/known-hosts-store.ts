/**
 * known_hosts files for one run: read once, then kept in memory; accept-new appends go to the
 * first file. Appends are serialised per file inside this process (many hosts are accepted at the
 * same time) and across processes by a flock on the file; each line is one O_APPEND write, so
 * other writers (ssh itself) never see half a line.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lockOpenFile } from './file-lock.js';
import { KnownHostsIndex } from './known-hosts-index.js';
import { checkHostKey, formatKnownHostsLine, parseKnownHosts, type HostKeyVerdict, type KnownHostEntry } from './known-hosts.js';

/** The files OpenSSH reads by default: the user's, then the system-wide one. */
export function defaultKnownHostsFiles(home = os.homedir()): string[] {
  return [path.join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** Expands a leading `~/` like ssh_config does. */
export function expandHome(file: string, home = os.homedir()): string {
  return file === '~' ? home : file.startsWith('~/') ? path.join(home, file.slice(2)) : file;
}

/** Per-file queue of accept-new updates in this process (shared by every store and transport). */
const appendQueues = new Map<string, Promise<void>>();

/** What accept-new did with a key: recorded it, or found the name already known (verdict from the file as it is now). */
export type AcceptNewOutcome = { readonly added: true } | { readonly added: false; readonly verdict: HostKeyVerdict };

export class KnownHostsStore {
  readonly files: readonly string[];
  #entries: Promise<KnownHostEntry[]> | undefined;
  #index: Promise<KnownHostsIndex> | undefined;
  /** Bytes and lines of the first file already in #entries: later reads under the lock parse only what was added since. */
  #firstBytes = 0;
  #firstLines = 0;

  constructor(files: readonly string[]) {
    this.files = files.map((f) => path.resolve(expandHome(f)));
  }

  /** Every entry of every file, in order. Missing files count as empty. */
  entries(): Promise<KnownHostEntry[]> {
    this.#entries ??= Promise.all(
      this.files.map(async (file, i) => {
        const text = await readText(file);
        if (i === 0) this.#seen(text);
        return parseKnownHosts(text, file);
      }),
    ).then((lists) => lists.flat());
    return this.#entries;
  }

  #seen(text: string): void {
    this.#firstBytes += Buffer.byteLength(text);
    this.#firstLines += text.split('\n').length - 1;
  }

  /** The entries whose host field matches `name` (from knownHostsName), in file order; O(1) in the file's size for plain names. */
  async entriesFor(name: string): Promise<KnownHostEntry[]> {
    this.#index ??= this.entries().then((all) => new KnownHostsIndex(all));
    return (await this.#index).forName(name);
  }

  /**
   * accept-new: records the key for `name` (from knownHostsName) in the first file, creating it
   * 0600 (and its directory 0700), unless the file as it is NOW already knows the name by any key.
   * Check and append happen under an exclusive lock on the file, taken by every fleet process, so two
   * first connections to one name that present different keys (at once, here or in another run)
   * cannot both be recorded: the second sees the first's key and gets its verdict (changed).
   */
  async acceptNew(name: string, blob: Buffer, hashed = false): Promise<AcceptNewOutcome> {
    const file = this.files[0];
    if (file === undefined) throw new Error('no known_hosts file to append to');
    const previous = appendQueues.get(file) ?? Promise.resolve();
    const mine = previous.then(() => this.#acceptNewLocked(file, name, blob, hashed));
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    appendQueues.set(file, settled);
    void settled.then(() => {
      if (appendQueues.get(file) === settled) appendQueues.delete(file);
    });
    return mine;
  }

  async #acceptNewLocked(file: string, name: string, blob: Buffer, hashed: boolean): Promise<AcceptNewOutcome> {
    await this.entriesFor(name); // the index exists before entries are added to it
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const handle = await open(file, 'a+', 0o600);
    try {
      await lockOpenFile(handle, file);
      // Under the lock, read what other processes appended since we last read (only that: first
      // contact with thousands of hosts must not re-read a large file each time).
      const { size } = await handle.stat();
      if (size < this.#firstBytes) throw new Error(`${file} shrank while fleet was running (rewritten by ssh-keygen -R?); run again`);
      const added = Buffer.alloc(size - this.#firstBytes);
      if (added.length > 0) await handle.read(added, 0, added.length, this.#firstBytes);
      const text = added.toString('utf8');
      await this.#remember(parseKnownHosts(text, file), this.#firstLines);
      this.#seen(text);
      const verdict = checkHostKey(await this.entriesFor(name), name, blob);
      if (verdict.status !== 'unknown' || verdict.otherTypes.length > 0) return { added: false, verdict };
      // A file whose last line lacks its newline would otherwise get our entry glued onto it.
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      const line = `${prefix}${formatKnownHostsLine(name, blob, hashed)}\n`;
      await handle.write(line);
      await this.#remember(parseKnownHosts(`${prefix}${formatKnownHostsLine(name, blob, false)}\n`, file), this.#firstLines);
      this.#seen(line);
      return { added: true };
    } finally {
      await handle.close();
    }
  }

  /** Adds entries parsed from text that starts after `lineBase` lines of the first file. */
  async #remember(parsed: KnownHostEntry[], lineBase: number): Promise<void> {
    const entries = await this.entries();
    const index = await this.#index;
    for (const e of parsed) {
      const shifted = { ...e, line: e.line + lineBase };
      entries.push(shifted);
      index?.add(shifted);
    }
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return ''; // no such file: nothing known from it
    throw new Error(`cannot read known_hosts file ${file}: ${(err as Error).message}`);
  }
}
