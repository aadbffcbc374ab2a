/**
 * Runs a playbook for real (engine withRun + ConnectionPool + runPlaybook) against "hosts" that are
 * temp directories reached through a real local shell. Returns what was recorded.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionSpec, Group, Host, Inventory, Vars } from '../../../src/core/inventory.js';
import { StoreRecorder } from '../../../src/store/recorder.js';
import { ConnectionPool } from '../../../src/engine/connections.js';
import { withRun, type RunSummary } from '../../../src/engine/run.js';
import { buildRunJson, type RunJson } from '../../../src/report/run-json.js';
import type { CheckRow, HostRow, RunRow } from '../../../src/store/types.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { runPlaybook, type PlaybookResult, type RunPlaybookOptions } from '../../../src/playbook/runner.js';
import type { CheckCatalog } from '../../../src/modules/types.js';
import { LocalDirTransport } from './local-connection.js';
import { MemoryStore } from './memory-store.js';
import { testCatalog } from './test-catalog.js';

export interface HarnessOptions {
  /** Host name → extra inventory vars (every host also gets `dir`). */
  readonly hosts: Record<string, Vars> | string[];
  readonly groups?: Record<string, string[]>;
  readonly files?: Record<string, string>;
  readonly unreachable?: string[];
  readonly dropAfter?: Record<string, number>;
  readonly forks?: number;
  readonly signal?: AbortSignal;
  readonly run?: Partial<Omit<RunPlaybookOptions, 'run' | 'inventory' | 'selectHosts' | 'catalog'>>;
  /** Check catalog (default: the test catalog over `ls`). */
  readonly catalog?: CheckCatalog;
  /** Files each host starts with (name → content), or per host. */
  readonly hostFiles?: Record<string, string> | ((host: string) => Record<string, string>);
}

export interface HarnessResult {
  readonly summary: RunSummary;
  readonly result: PlaybookResult;
  readonly json: RunJson;
  readonly store: MemoryStore;
  readonly dirs: Record<string, string>;
  readonly root: string;
  readonly transport: LocalDirTransport;
  readonly catalog: ReturnType<typeof testCatalog>;
}

/** The source tree's test/ dir, also when running the compiled copy under dist/test/. */
export function sourceTestDir(here: string): string {
  return here.includes(`${path.sep}dist${path.sep}test${path.sep}`)
    ? here.replace(`${path.sep}dist${path.sep}test${path.sep}`, `${path.sep}test${path.sep}`)
    : here;
}

/** A temp directory holding the playbook (pb.yml) and any extra files (templates/…, files/…). */
export function playbookDir(pb: string, files: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fleet-pb-'));
  writeFileSync(path.join(root, 'pb.yml'), pb);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

export function makeInventory(hostVars: Record<string, Vars>, groups: Record<string, string[]> = {}): Inventory {
  const hosts = new Map<string, Host>();
  for (const [name, vars] of Object.entries(hostVars)) {
    const gs = [
      'all',
      ...Object.entries(groups)
        .filter(([, members]) => members.includes(name))
        .map(([g]) => g),
    ];
    hosts.set(name, { name, groups: gs, vars });
  }
  const groupMap = new Map<string, Group>([['all', { name: 'all', hosts: [...hosts.keys()], children: [], vars: {} }]]);
  for (const [g, members] of Object.entries(groups)) groupMap.set(g, { name: g, hosts: members, children: [], vars: {} });
  return { hosts, groups: groupMap, sources: ['test'] };
}

/** `all`, a group, a host, or `a:b` unions — enough for tests. */
export function selectHosts(inv: Inventory, pattern: string): Host[] {
  const names = new Set<string>();
  for (const part of pattern.split(':')) {
    if (part === 'all' || part === '*') for (const h of inv.hosts.keys()) names.add(h);
    else if (inv.groups.has(part)) for (const h of inv.groups.get(part)?.hosts ?? []) names.add(h);
    else if (inv.hosts.has(part)) names.add(part);
    else throw new Error(`no host or group named '${part}'`);
  }
  return [...inv.hosts.values()].filter((h) => names.has(h.name));
}

export function specOf(host: Host): ConnectionSpec {
  return {
    name: host.name,
    connection: 'local',
    address: 'localhost',
    port: 22,
    user: undefined,
    privateKeyFile: undefined,
    proxyJump: undefined,
    become: false,
    becomeUser: undefined,
    becomePassword: undefined,
  };
}

/** Loads `pbFile`, runs it on temp-dir hosts, and returns everything recorded. */
export async function runHarness(pbFile: string, opts: HarnessOptions): Promise<HarnessResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fleet-hosts-'));
  const names = Array.isArray(opts.hosts) ? opts.hosts : Object.keys(opts.hosts);
  const dirs: Record<string, string> = {};
  const hostVars: Record<string, Vars> = {};
  for (const name of names) {
    const dir = path.join(root, name);
    mkdirSync(dir);
    dirs[name] = dir;
    hostVars[name] = { dir, ...(Array.isArray(opts.hosts) ? {} : opts.hosts[name]) };
    const files = typeof opts.hostFiles === 'function' ? opts.hostFiles(name) : (opts.hostFiles ?? {});
    for (const [f, content] of Object.entries(files)) writeFileSync(path.join(dir, f), content);
  }
  const inventory = makeInventory(hostVars, opts.groups);
  const catalog = (opts.catalog ?? testCatalog()) as ReturnType<typeof testCatalog>;
  const pb = await loadPlaybook(pbFile, { catalog, checkPattern: (p) => void selectHosts(inventory, p) });
  const transport = new LocalDirTransport(
    (h) => dirs[h] ?? root,
    new Set(opts.unreachable ?? []),
    new Map(Object.entries(opts.dropAfter ?? {})),
  );
  const store = new MemoryStore();
  const pool = new ConnectionPool(
    { ssh: transport, local: transport },
    { connectTimeoutMs: 1000, commandTimeoutMs: 30_000, keepaliveIntervalMs: 0, knownHostsFiles: [], hostKeyMode: 'off' },
  );
  let result: PlaybookResult | undefined;
  const summary = await withRun(
    { playbook: pbFile, inventorySources: ['test'], limit: null, options: {}, hosts: [...inventory.hosts.values()] },
    {
      recorder: new StoreRecorder(store),
      pool,
      forks: opts.forks ?? 4,
      observers: [],
      signal: opts.signal ?? new AbortController().signal,
      specOf,
    },
    async (run) => {
      result = await runPlaybook(pb, {
        run,
        inventory,
        selectHosts: (p) => selectHosts(inventory, p),
        catalog,
        detached: { timeoutMs: 10_000, pollMs: 50 },
        ...opts.run,
      });
    },
  );
  if (!result) throw new Error('runPlaybook did not finish');
  return { summary, result, json: runJsonOf(summary, store), store, dirs, root, transport, catalog };
}

/** Removes temp directories made by a test. */
/**
 * The `run(pb, opts?, files?)` of a test file: writes `pb` as pb.yml (plus `files`) in a fresh
 * directory, runs it with runHarness, and adds both directories to `dirs` for cleanup.
 */
export function inlineRunner(dirs: string[]) {
  return async (pb: string, opts: HarnessOptions = { hosts: ['h1'] }, files: Record<string, string> = {}): Promise<HarnessResult> => {
    const dir = playbookDir(pb, files);
    dirs.push(dir);
    const r = await runHarness(path.join(dir, 'pb.yml'), opts);
    dirs.push(r.root);
    return r;
  };
}

export function cleanup(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** The run's JSON document, built from what was recorded by the same function as `fleet run --json`. */
function runJsonOf(summary: RunSummary, store: MemoryStore): RunJson {
  const run: RunRow = {
    id: summary.runId,
    playbook: 'pb.yml',
    inventorySources: [],
    limit: null,
    options: {},
    controller: 'test',
    pid: 0,
    user: 'test',
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    status: summary.status,
    hostCounts: {},
  };
  // A host may be recorded several times during a run; the last record wins, as in the SQLite store.
  const hosts = new Map<string, HostRow>();
  for (const h of store.hosts) hosts.set(h.host, { ...h, runId: run.id });
  const checks: CheckRow[] = store.checks.map((c) => ({
    runId: run.id,
    host: c.host,
    checkId: c.check.id,
    status: c.check.status,
    severity: c.check.severity,
    message: c.check.message,
    evidence: c.check.evidence ?? null,
    fix: c.check.fix ?? null,
    fixStatus: c.fixStatus,
  }));
  return buildRunJson(run, [...hosts.values()], checks, store.fleetChecks);
}
