/**
 * Issue 14 §2, hostile or broken hosts, end to end through the built CLI on a real simulated fleet
 * (two hosts, each a network namespace with its own sshd). hv01 is clean; hv02 is hostile: commands
 * installed first on its sshd session PATH (<dir>/hv02/bin, as the `hang` fault does) print 100 MB,
 * terminal escape sequences, markup that closes a <script>, and invalid UTF-8; a fake `sh` there
 * rewrites the facts script's output (forged section markers with the real nonce, a section that is
 * not JSON, a 20 MB section). Asserted: runs complete, output is capped and flagged truncated in the
 * DB, the controller's peak RSS stays bounded, no raw control character reaches any terminal output,
 * no host markup is live in the HTML report or `fleet serve`, and hv01's check results are exactly
 * those of a run where hv02 was clean.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { assertBuilt, ROOT, simFleetArgs } from '../../helpers/cli.js';

const BIN = path.join(ROOT, 'bin/fleet.js');
const FLOOD_BYTES = 100 * 1024 * 1024;
/** Controller peak RSS allowed while 100 MB streams in (the transport keeps at most 16 MiB per stream). */
const RSS_LIMIT_KB = 320 * 1024;

/** Everything a host could use to attack an operator's terminal or a browser. */
// \302\233 is U+009B, the one-character CSI (C1) in UTF-8; \177 is DEL.
const ESCAPES = '\\033]0;owned\\007\\033[2J\\033[31mred\\033[0m\\302\\2332J\\177\\r fake prompt$ ';
const MARKUP = '</script><img src=x onerror=alert(1)><script>alert(2)</script>';
// Invalid UTF-8: a lone continuation byte, an overlong '/', a truncated 3-byte sequence, 0xff.
const BAD_UTF8 = '\\200\\300\\257\\342\\202\\377';

/** `probe` on hv02: all the hostile text on stdout and stderr, rc 1 so it is reported as a failure. */
const PROBE_HOSTILE = `#!/bin/sh
printf 'before ${ESCAPES} ${MARKUP} ${BAD_UTF8} after\\n'
printf 'err ${ESCAPES} ${MARKUP} ${BAD_UTF8}\\n' >&2
exit 1
`;
const PROBE_CLEAN = '#!/bin/sh\necho clean\n';
const FLOOD = `#!/bin/sh\nhead -c ${FLOOD_BYTES} /dev/zero | tr '\\0' 'A'\necho\necho flood-done >&2\n`;

/**
 * A fake `sh` on hv02: the facts command is `sh -c <script>`, resolved through the session PATH, so
 * this sees the script, runs the real one and rewrites its output with the real nonce: a forged
 * `hostname` section claiming hv01 inside the kernel section, an `addrs` section that is not JSON,
 * and 20 MB of empty lines in `neigh` (past the transport cap, so the rest is cut). Anything else runs unchanged.
 */
const FORGING_SH = `#!/bin/sh
case "$2" in *@@FLEET@@*) ;; *) exec /bin/sh "$@";; esac
t=$(mktemp)
/bin/sh "$@" >"$t"
rc=$?
awk '
NR == 1 && $1 == "@@FLEET@@" && $3 == "begin" { n = $2 }
$1 == "@@FLEET@@" && $2 == n { sect = $3; skip = 0 }
$1 == "@@RC@@" && $2 == n { skip = 0 }
skip { next }
sect == "kernel" && $1 == "@@RC@@" {
  print "@@FLEET@@ " n " hostname"; print "hv01"; print "@@RC@@ " n " 0"
  print "@@FLEET@@ " n " machine_id"; print "forged-machine-id"; print "@@RC@@ " n " 0"
  print "@@FLEET@@ " n " hv01 links"; print "[]"
}
{ print }
$1 == "@@FLEET@@" && sect == "addrs" { print "{\\"not json\\": [1, 2 <script>alert(3)</script>"; skip = 1 }
$1 == "@@FLEET@@" && sect == "neigh" { fflush(); system("head -c 20971520 /dev/zero | tr \\"\\\\000\\" \\"\\\\n\\""); print "[]"; skip = 1 }
' "$t"
rm -f "$t"
exit $rc
`;

/** A fake `sh` on hv02 whose facts script fails: no output, hostile stderr, exit 3. */
const FAILING_SH = `#!/bin/sh
case "$2" in *@@FLEET@@*) ;; *) exec /bin/sh "$@";; esac
printf 'facts: ${ESCAPES} ${MARKUP} ${BAD_UTF8}\\n' >&2
exit 3
`;

const C0 = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

interface Spawned {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** Peak resident set size of the fleet process (VmHWM), in kB. */
  peakRssKb: number;
}

/** Runs the built CLI, keeping raw bytes, and samples the child's VmHWM until it exits. */
function run(args: string[], timeoutMs = 45_000, program?: string): Promise<Spawned> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(program ?? process.execPath, program ? args : [BIN, ...args], {
      cwd: tmp,
      env: { ...process.env, FLEET_DB: '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let peak = 0;
    const sample = (): void => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // exited between samples
      }
    };
    const poll = setInterval(sample, 20);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('exit', sample);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), peakRssKb: peak });
    });
  });
}

/** Terminal output must carry no live control character: only \n and \t, never ESC, CR, BEL, C1. */
function expectTerminalSafe(what: string, bytes: Buffer): void {
  const text = bytes.toString('utf8');
  const bad = text.replace(/[\n\t]/g, '').match(C0);
  expect(
    bad,
    `${what} has a raw control character ${JSON.stringify(bad?.[0])} near ${JSON.stringify(text.slice(Math.max(0, (bad?.index ?? 0) - 40), (bad?.index ?? 0) + 40))}`,
  ).toBeNull();
}

/** Terminal output of a run on a TTY: fleet's own redraw (CR, erase line) allowed, nothing else. */
function expectTtySafe(what: string, bytes: Buffer): void {
  const text = bytes
    .toString('utf8')
    .replace(/\r\n/g, '\n')
    .replace(/\r\u001b\[2K/g, '');
  expectTerminalSafe(what, Buffer.from(text));
}

const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

let sim: SimFleet;
let tmp: string;
const bin = (host: string, name: string, body: string): void => writeFileSync(path.join(sim.dir, host, 'bin', name), body, { mode: 0o755 });
const args = (db: string): string[] => [...simFleetArgs(sim, db), '--connect-timeout', '10'];

type Checks = Record<string, { status: string; severity: string; message: string }>;
interface RunJson {
  run_id: number;
  hosts: Record<string, { status: string; reason: string | null; stdout?: string | null; checks?: Checks }>;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-hostile-'));
  sim = await SimFleet.up({ prefix: 'hos', count: 2 });
  bin('hv01', 'probe', PROBE_CLEAN);
  bin('hv02', 'probe', PROBE_HOSTILE);
  bin('hv02', 'flood', FLOOD);
}, 60_000);

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a hostile host cannot hurt the controller, the terminal, the report or another host', () => {
  const execDb = (): string => path.join(tmp, 'exec.db');

  it('100 MB on stdout: the run completes, the output is capped and flagged truncated, RSS stays bounded', async () => {
    const r = await run(['exec', 'hv02', ...args(execDb()), '--', 'flood']);
    expect(r.stderr.toString()).not.toMatch(/internal error|heap out of memory/);
    expect(r.code).toBe(0);
    expectTerminalSafe('exec stdout', r.stdout);
    expectTerminalSafe('exec stderr', r.stderr);
    console.log(`fleet exec with ${FLOOD_BYTES} bytes on stdout: controller peak RSS ${Math.round(r.peakRssKb / 1024)} MiB`);
    expect(r.peakRssKb).toBeGreaterThan(0);
    expect(r.peakRssKb).toBeLessThan(RSS_LIMIT_KB);

    const store = await openSqliteStore(execDb());
    try {
      const [last] = await store.listRuns({ limit: 1 });
      expect(last?.status).toBe('completed');
      const [step] = await store.getSteps(last!.id);
      expect(step?.host).toBe('hv02');
      expect(step?.rc).toBe(0);
      expect(step?.stdoutTruncated).toBe(true);
      expect(Buffer.byteLength(step?.stdout ?? '')).toBeLessThanOrEqual(64 * 1024);
      expect(step?.stdout).toMatch(/^A{1000}/);
      expect(step?.stdout).toMatch(/truncated|omitted/);
      expect(step?.stderr).toContain('flood-done');
    } finally {
      await store.close();
    }
  }, 60_000);

  it('escapes, markup and invalid UTF-8 from a host: stored safely, inert in exec, show and the recap', async () => {
    const r = await run(['exec', 'all', ...args(execDb()), '--', 'probe']);
    expect(r.stderr.toString()).not.toMatch(/internal error/);
    expect(r.code).toBe(2);
    expectTerminalSafe('exec stdout', r.stdout);
    expectTerminalSafe('exec stderr', r.stderr);
    console.log(`fleet exec of a few hundred bytes (baseline): controller peak RSS ${Math.round(r.peakRssKb / 1024)} MiB`);
    const all = r.stdout.toString() + r.stderr.toString();
    expect(all).toContain('\\x1b');

    const json = await run(['exec', 'all', ...args(execDb()), '--json', '--', 'probe']);
    expect(json.code).toBe(2);
    expectTerminalSafe('exec --json stdout', json.stdout);
    const doc = JSON.parse(json.stdout.toString()) as RunJson;
    expect(doc.hosts.hv01?.stdout).toBe('clean\n');
    // Stored and returned as text: invalid bytes became U+FFFD, the escapes are intact data.
    expect(doc.hosts.hv02?.stdout).toContain('\u001b]0;owned\u0007');
    expect(doc.hosts.hv02?.stdout).toContain('\ufffd');
    expect(doc.hosts.hv02?.stdout).toContain(MARKUP);

    const store = await openSqliteStore(execDb());
    try {
      const steps = await store.getSteps(doc.run_id);
      const hostile = steps.find((s) => s.host === 'hv02');
      expect(hostile?.stdout).toMatch(/^before .*after\n$/s);
      expect(hostile?.stdout).toContain('\ufffd');
      expect(hostile?.stdout).not.toMatch(/[\ud800-\udfff]/);
      expect(hostile?.stderr).toContain('err ');
    } finally {
      await store.close();
    }

    for (const show of [
      ['show', 'last', '--db', execDb()],
      ['show', 'last', '--db', execDb(), '--host', 'hv02'],
      ['runs', '--db', execDb()],
      ['diff', '--db', execDb()],
    ]) {
      const s = await run(show);
      expect(s.stderr.toString(), show.join(' ')).not.toMatch(/internal error/);
      expectTerminalSafe(`${show.join(' ')} stdout`, s.stdout);
      expectTerminalSafe(`${show.join(' ')} stderr`, s.stderr);
    }
    const detail = await run(['show', 'last', '--db', execDb(), '--host', 'hv02']);
    expect(detail.stdout.toString()).toContain('\\x1b]0;owned\\x07');
  }, 60_000);

  it('the HTML report and fleet serve: host markup is inert and the page still parses', async () => {
    const file = path.join(tmp, 'report.html');
    const r = await run(['report', '--db', execDb(), '-o', file]);
    expect(r.stderr.toString()).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expectPageInert(readFileSync(file, 'utf8'));

    const server = spawn(process.execPath, [BIN, 'serve', '--db', execDb(), '--port', '0'], {
      cwd: tmp,
      env: { ...process.env, FLEET_DB: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        server.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
          if (m) resolve(m[1]!);
        });
        server.on('exit', (code) => reject(new Error(`fleet serve exited ${code}: ${err}`)));
      });
      const page = await (await fetch(url)).text();
      expectPageInert(page);
      const runs = await (await fetch(`${url}runs`)).text();
      expect(runs).not.toMatch(/<img|onerror=|<script>alert/i);
    } finally {
      server.kill('SIGTERM');
    }
  }, 60_000);

  it('forged, unparseable and huge facts: that host gets `error` with a message, the other host is untouched', async () => {
    const clean = await healthCheck(path.join(tmp, 'clean.db'));
    bin('hv02', 'sh', FORGING_SH);
    let forged: Spawned;
    let doc: RunJson;
    try {
      forged = await run(['run', 'health-check', ...args(path.join(tmp, 'forged.db')), '--json']);
      doc = JSON.parse(forged.stdout.toString()) as RunJson;
    } finally {
      rmSync(path.join(sim.dir, 'hv02', 'bin', 'sh'), { force: true });
    }
    expect(forged.stderr.toString()).not.toMatch(/internal error/);
    expectTerminalSafe('run stderr', forged.stderr);
    console.log(`health-check with a 20 MB facts section: controller peak RSS ${Math.round(forged.peakRssKb / 1024)} MiB`);
    expect(forged.peakRssKb).toBeLessThan(RSS_LIMIT_KB);

    // hv01's results are exactly those of the clean run.
    expect(doc.hosts.hv01?.status).toBe(clean.hosts.hv01?.status);
    expect(doc.hosts.hv01?.checks).toEqual(clean.hosts.hv01?.checks);

    // hv02: checks that need the broken sections say `error` with the reason; none crashed.
    const checks = doc.hosts.hv02?.checks ?? {};
    expect(Object.keys(checks).sort()).toEqual(Object.keys(clean.hosts.hv02?.checks ?? {}).sort());
    const errors = Object.values(checks).filter((c) => c.status === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const c of errors) expect(c.message).toMatch(/\S/);
    const messages = errors.map((c) => c.message).join('\n');
    expect(messages).toMatch(/addrs: unparseable output/);
    expect(messages).toMatch(/cut short/);
    expect(messages).not.toMatch(/<script>/);
  }, 90_000);
  it("on a terminal (progress line, failure lines, recap, errors): only fleet's own line redraw reaches it", async () => {
    const db = path.join(tmp, 'tty.db');
    const inTty = (cli: string[]): Promise<Spawned> =>
      run(['-e', '-q', '-c', [process.execPath, BIN, ...cli].map(shQuote).join(' '), '/dev/null'], 60_000, '/usr/bin/script');
    const exec = await inTty(['exec', 'all', ...args(db), '--', 'probe']);
    expect(exec.code).toBe(2);
    expectTtySafe('exec on a terminal', exec.stdout);
    expect(exec.stdout.toString()).toContain('\\x1b]0;owned');

    // The facts script itself fails on hv02 with hostile stderr: that error reaches progress and the recap.
    bin('hv02', 'sh', FAILING_SH);
    let check: Spawned;
    try {
      check = await inTty(['run', 'health-check', ...args(db)]);
    } finally {
      rmSync(path.join(sim.dir, 'hv02', 'bin', 'sh'), { force: true });
    }
    expect(check.stdout.toString()).not.toMatch(/internal error/);
    expect(check.code).toBe(2);
    expectTtySafe('health-check on a terminal', check.stdout);
    expect(check.stdout.toString()).toMatch(/facts script failed \(rc 3\)/);
    const shown = await run(['show', 'last', '--db', db, '--host', 'hv02']);
    expectTerminalSafe('show of the failed facts', shown.stdout);
    expect(shown.stdout.toString()).toMatch(/facts script failed \(rc 3\)/);
  }, 90_000);
});

async function healthCheck(db: string): Promise<RunJson> {
  const r = await run(['run', 'health-check', ...args(db), '--json']);
  expect(r.stderr.toString()).not.toMatch(/internal error/);
  return JSON.parse(r.stdout.toString()) as RunJson;
}

/** No live host markup; the data block still parses as JSON; every <script> is one fleet wrote. */
function expectPageInert(html: string): void {
  const data = /<script type="application\/json" id="fleet-data">([\s\S]*?)<\/script>/.exec(html);
  expect(data).not.toBeNull();
  // Inside the data block host text is JSON with < > & as \u escapes: it cannot end the element.
  expect(data![1]).not.toMatch(/[<>]/);
  expect(JSON.stringify(JSON.parse(data![1]!))).toContain('onerror=alert(1)');
  const markup = html.replace(data![0], '');
  expect(markup).not.toMatch(/<img/i);
  expect(markup).not.toMatch(/onerror=/i);
  expect(markup).not.toMatch(/<script>alert/i);
  expect(html.match(/<\/html>/g)).toHaveLength(1);
  // Every remaining </script> closes a script element fleet opened.
  expect(html.match(/<script\b/g)?.length).toBe(html.match(/<\/script>/g)?.length);
}
