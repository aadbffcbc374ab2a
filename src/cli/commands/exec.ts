/** `fleet exec PATTERN -- COMMAND`: one ad-hoc shell command on every matching host (like `ansible -m shell -a`). */
import type { CommandResult } from '../../core/result.js';
import { InputError } from '../../core/errors.js';
import { SecretMask } from '../../core/redact.js';
import { hostRunOptions, type HostRunArgs } from '../options.js';
import { defineCommand } from '../define-command.js';
import { runOnTargets } from '../run-context.js';
import { resolveTargets, withStore } from '../session.js';
import { warnerOf, type Io } from '../io.js';
import { formatRunSummary, abbreviate } from '../../output/summary.js';
import { terminalJson, terminalSafe } from '../../output/terminal-safe.js';
import { exitCodeOf } from '../../engine/run.js';

type ExecArgs = HostRunArgs & { pattern: string; command?: string[]; '--'?: string[] };

export const execCommand = defineCommand({
  command: 'exec <pattern> [command..]',
  describe: 'Run one shell command on every host matching PATTERN; results are stored like any run',
  positionals: {
    pattern: { type: 'string', demandOption: true, describe: 'Host pattern: all, group, glob, ~regex, a:b, a:&b, a:!b, grp[0:9]' },
  },
  options: hostRunOptions,
  examples: [
    ['$0 exec all -- uptime', 'uptime on every host'],
    ["$0 exec 'dc1:!hv07' -i inventory/prod.ini --forks 100 -- ip -br link", 'dc1 except hv07, 100 at a time'],
    ['$0 exec hv[0:9] -b -- cat /etc/network/interfaces', 'the first ten hosts, through sudo'],
  ],
  run: runExec,
});

export async function runExec(io: Io, args: ExecArgs): Promise<number> {
  const words = [...(args.command ?? []), ...(args['--'] ?? [])].map(String);
  if (words.length === 0) throw new InputError('fleet exec needs a command after the pattern, e.g. fleet exec all -- uptime');
  // One word is a shell string as typed; several are joined like ssh does.
  const command = words.join(' ');
  const results = new Map<string, CommandResult>();

  const targets = await resolveTargets(args.pattern, args, io.cwd, warnerOf(io));
  const mask = new SecretMask();
  const summary = await withStore(
    args.db,
    (store) =>
      runOnTargets(io, { store, mask }, targets, args, { playbook: 'exec', options: { command } }, async (run, rc) => {
        const safeCommand = rc.redact(command);
        await run.runHosts(rc.targets.hosts, async (host) => {
          const conn = await host.connection();
          const startedAt = Date.now();
          const r = await conn.exec(command, {
            become: host.spec.become,
            ...(host.spec.becomeUser ? { becomeUser: host.spec.becomeUser } : {}),
          });
          const clean: CommandResult = { ...r, command: safeCommand, stdout: rc.redact(r.stdout), stderr: rc.redact(r.stderr) };
          results.set(host.host.name, clean);
          const ok = r.rc === 0;
          const reason = r.timedOut
            ? `command timed out after ${Math.round(r.durationMs / 1000)}s`
            : ok
              ? undefined
              : `exit code ${r.rc ?? r.signal}${firstLine(clean.stderr)}`;
          host.emitStep({
            stepId: 'exec',
            name: safeCommand,
            status: ok ? 'ok' : 'failed',
            changed: false,
            rc: r.rc,
            stdout: clean.stdout,
            stderr: clean.stderr,
            startedAt,
            durationMs: r.durationMs,
            ...(reason ? { message: reason } : {}),
          });
          return ok ? { status: 'ok' } : { status: 'failed', reason: reason ?? 'failed' };
        });
      }),
    mask.redact,
  );

  // Hosts in inventory order within each group, whatever order they finished in.
  const order = new Map(targets.hosts.map((h, i) => [h.name, i]));
  const groups = groupOutputs(results).map((g) => ({ ...g, hosts: g.hosts.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)) }));
  if (args.json) {
    const hosts: Record<string, unknown> = {};
    for (const [name, o] of summary.outcomes) {
      const r = results.get(name);
      hosts[name] = {
        status: o.status,
        reason: o.reason === undefined ? null : mask.redact(o.reason),
        rc: r?.rc ?? null,
        stdout: r?.stdout ?? null,
        stderr: r?.stderr ?? null,
      };
    }
    const doc = {
      run_id: summary.runId,
      command: mask.redact(command),
      started: new Date(summary.startedAt).toISOString(),
      finished: new Date(summary.finishedAt).toISOString(),
      status: summary.status,
      hosts,
      groups: groups.map((g) => ({ hosts: g.hosts, rc: g.result.rc, stdout: g.result.stdout, stderr: g.result.stderr })),
      timings: summary.timings,
    };
    io.stdout.write(`${terminalJson(doc)}\n`);
  } else {
    for (const g of groups) io.stdout.write(formatGroup(g));
    io.stderr.write(
      mask.redact(
        formatRunSummary(summary.runId, summary.outcomes, {
          interrupted: summary.status === 'interrupted',
          durationMs: summary.finishedAt - summary.startedAt,
          ...(summary.stoppedReason ? { stoppedReason: summary.stoppedReason } : {}),
        }),
      ),
    );
  }
  return exitCodeOf(summary);
}

interface OutputGroup {
  hosts: string[];
  result: CommandResult;
}

/** Hosts with identical rc/stdout/stderr share one entry: 500 identical answers are read once. */
export function groupOutputs(results: ReadonlyMap<string, CommandResult>): OutputGroup[] {
  const byKey = new Map<string, OutputGroup>();
  for (const [host, r] of results) {
    const key = JSON.stringify([r.rc, r.signal, r.timedOut, r.stdout, r.stderr]);
    const g = byKey.get(key);
    if (g) g.hosts.push(host);
    else byKey.set(key, { hosts: [host], result: r });
  }
  // Failures first, then the biggest groups.
  return [...byKey.values()].sort((a, b) => Number(a.result.rc === 0) - Number(b.result.rc === 0) || b.hosts.length - a.hosts.length);
}

function formatGroup(g: OutputGroup): string {
  const r = g.result;
  const status = r.timedOut ? 'TIMEOUT' : r.rc === 0 ? 'rc=0' : `rc=${r.rc ?? r.signal}`;
  const head = `${abbreviate(g.hosts)} | ${status} (${g.hosts.length} host${g.hosts.length === 1 ? '' : 's'}) >>\n`;
  const body = terminalSafe(r.stdout) + (r.stderr ? `${r.stdout && !r.stdout.endsWith('\n') ? '\n' : ''}${terminalSafe(r.stderr)}` : '');
  return `${head}${body}${body && !body.endsWith('\n') ? '\n' : ''}\n`;
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim());
  return line ? `: ${line.trim().slice(0, 160)}` : '';
}
