/**
 * known_hosts files for one run: read once, then kept in memory; accept-new appends go to the
 * first file. Appends are serialised per file inside this process (many hosts are accepted at the
 * same time) and each line is one O_APPEND write, so other writers never see half a line.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KnownHostsIndex } from './known-hosts-index.js';
import { checkHostKey, formatKnownHostsLine, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';

/** The files OpenSSH reads by default: the user's, then the system-wide one. */
export function defaultKnownHostsFiles(home = os.homedir()): string[] {
  return [path.join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** Expands a leading `~/` like ssh_config does. */
export function expandHome(file: string, home = os.homedir()): string {
  return file === '~' ? home : file.startsWith('~/') ? path.join(home, file.slice(2)) : file;
}

/** Per-file queue of appends in this process (shared by every store and transport). */
const appendQueues = new Map<string, Promise<void>>();

export class KnownHostsStore {
  readonly files: readonly string[];
  #entries: Promise<KnownHostEntry[]> | undefined;
  #index: Promise<KnownHostsIndex> | undefined;

  constructor(files: readonly string[]) {
    this.files = files.map((f) => path.resolve(expandHome(f)));
  }

  /** Every entry of every file, in order. Missing files count as empty. */
  entries(): Promise<KnownHostEntry[]> {
    this.#entries ??= Promise.all(this.files.map(readEntries)).then((lists) => lists.flat());
    return this.#entries;
  }

  /** The entries whose host field matches `name` (from knownHostsName), in file order; O(1) in the file's size for plain names. */
  async entriesFor(name: string): Promise<KnownHostEntry[]> {
    this.#index ??= this.entries().then((all) => new KnownHostsIndex(all));
    return (await this.#index).forName(name);
  }

  /**
   * Appends a key for `name` (from knownHostsName) to the first file, creating it 0600 (and its
   * directory 0700) if needed. Skips the write if an identical key is already recorded for the name.
   */
  async append(name: string, blob: Buffer, hashed = false): Promise<void> {
    const file = this.files[0];
    if (file === undefined) throw new Error('no known_hosts file to append to');
    const previous = appendQueues.get(file) ?? Promise.resolve();
    const mine = previous.then(async () => {
      if (checkHostKey(await this.entriesFor(name), name, blob).status === 'known') return;
      await appendLine(file, formatKnownHostsLine(name, blob, hashed));
      const added = parseKnownHosts(formatKnownHostsLine(name, blob, false), file);
      (await this.entries()).push(...added);
      const index = await this.#index;
      for (const e of added) index?.add(e);
    });
    const settled = mine.catch(() => undefined);
    appendQueues.set(file, settled);
    void settled.then(() => {
      if (appendQueues.get(file) === settled) appendQueues.delete(file);
    });
    return mine;
  }
}

async function readEntries(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'), file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return []; // no such file: nothing known from it
    throw new Error(`cannot read known_hosts file ${file}: ${(err as Error).message}`);
  }
}

async function appendLine(file: string, line: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, 'a+', 0o600);
  try {
    // A file whose last line lacks its newline would otherwise get our entry glued onto it.
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.write(`${prefix}${line}\n`);
  } finally {
    await handle.close();
  }
}
