/** `fleet runs` (history) and `fleet show RUN` (one run): read-only views of the store. */
import { formatTimings } from '../../engine/timings.js';
import { InputError } from '../../core/errors.js';
import type { RunStatus } from '../../core/result.js';
import { withReadOnlyStore } from '../session.js';
import { dbOptions, runPositional, type ArgsOf } from '../options.js';
import { defineCommand } from '../define-command.js';
import type { Io } from '../io.js';
import { blockLine, oneLine, terminalJson } from '../../output/terminal-safe.js';

const runsOptions = {
  playbook: { type: 'string', describe: 'Only runs of this playbook (exec for ad-hoc commands)' },
  status: {
    type: 'string',
    choices: ['running', 'completed', 'failed', 'interrupted'],
    describe: 'Only runs that ended so',
  },
  since: { type: 'string', describe: 'Only runs started since: an ISO date/time, or an age like 30m, 12h, 7d' },
  last: { type: 'number', default: 50, describe: 'At most this many runs' },
  json: { type: 'boolean', describe: 'JSON instead of a table' },
} as const;

type RunsArgs = ArgsOf<typeof runsOptions & typeof dbOptions>;

export const runsCommand = defineCommand({
  command: 'runs',
  describe: 'List recorded runs, newest first',
  options: { ...dbOptions, ...runsOptions },
  examples: [['$0 runs --playbook health-check --since 7d', "last week's health checks"]],
  run: listRuns,
});

async function listRuns(io: Io, args: RunsArgs): Promise<number> {
  return withReadOnlyStore(io, args.db, 'runs', async (store) => {
    const runs = await store.listRuns({
      ...(args.playbook ? { playbook: args.playbook } : {}),
      ...(args.status ? { status: args.status as RunStatus } : {}),
      ...(args.since ? { since: parseSince(args.since) } : {}),
      limit: args.last ?? 50,
    });
    if (args.json) {
      io.stdout.write(`${terminalJson(runs)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      io.stderr.write('no runs recorded yet\n');
      return 0;
    }
    const rows = runs.map((r) => [
      String(r.id),
      new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19),
      r.finishedAt ? `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)}s` : '-',
      r.status,
      oneLine(r.playbook, 40),
      `${(r.hostCounts.ok ?? 0) + (r.hostCounts.changed ?? 0)}/${r.hostCounts.failed ?? 0}/${r.hostCounts.unreachable ?? 0}/${r.hostCounts.skipped ?? 0}`,
      oneLine(r.limit ?? '', 30),
    ]);
    io.stdout.write(table(['RUN', 'STARTED (UTC)', 'TOOK', 'STATUS', 'PLAYBOOK', 'OK/FAIL/UNREACH/SKIP', 'LIMIT'], rows));
    return 0;
  });
}

/** "7d", "12h", "30m" or a date. */
export function parseSince(text: string, now = Date.now()): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (m) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(m[1]) * unit;
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new InputError(`--since '${text}' is neither a date nor an age like 30m, 12h, 7d`);
  return t;
}

const showOptions = {
  host: { type: 'string', describe: 'Only this host, with every step and its output' },
  json: { type: 'boolean', describe: 'JSON instead of text' },
} as const;

type ShowArgs = ArgsOf<typeof showOptions & typeof dbOptions & { run: typeof runPositional }>;

export const showCommand = defineCommand({
  command: 'show <run>',
  describe: 'Show one recorded run: hosts, steps and check results (RUN is an id or "last")',
  positionals: { run: runPositional },
  options: { ...dbOptions, ...showOptions },
  examples: [
    ['$0 show last', 'the latest run'],
    ['$0 show 42 --host hv07', 'everything run 42 did on hv07'],
  ],
  run: showRun,
});

async function showRun(io: Io, args: ShowArgs): Promise<number> {
  return withReadOnlyStore(io, args.db, 'show', async (store) => {
    let id: number;
    if (args.run === 'last') {
      const [last] = await store.listRuns({ limit: 1 });
      if (!last) throw new InputError('no runs recorded yet');
      id = last.id;
    } else {
      id = Number(args.run);
      if (!Number.isInteger(id) || id <= 0) throw new InputError(`'${args.run}' is not a run id (a positive number, or last)`);
    }
    const run = await store.getRun(id);
    if (!run) throw new InputError(`no run ${id} in the database`);
    const hosts = (await store.getHosts(id)).filter((h) => !args.host || h.host === args.host);
    if (args.host && hosts.length === 0) throw new InputError(`host '${args.host}' took no part in run ${id}`);
    const steps = await store.getSteps(id, args.host);
    const checks = await store.getChecks(id, args.host);
    if (args.json) {
      io.stdout.write(`${terminalJson({ run, hosts, steps, checks })}\n`);
      return 0;
    }
    const out: string[] = [];
    out.push(`run ${run.id}: ${oneLine(run.playbook)}  ${run.status}`);
    out.push(
      `  started ${new Date(run.startedAt).toISOString()}${run.finishedAt ? `, took ${((run.finishedAt - run.startedAt) / 1000).toFixed(1)}s` : ''}`,
    );
    out.push(
      `  by ${oneLine(run.user)}@${oneLine(run.controller)}; inventory ${run.inventorySources.map((s) => oneLine(s)).join(', ')}${run.limit ? `; limit ${oneLine(run.limit)}` : ''}`,
    );
    if (run.timings) out.push(`  ${oneLine(formatTimings(run.timings), 400)}`);
    const order = { failed: 0, unreachable: 1, unaudited: 2, changed: 3, ok: 4, skipped: 5 } as const;
    for (const h of [...hosts].sort((a, b) => order[a.status] - order[b.status] || a.host.localeCompare(b.host))) {
      out.push(`  ${h.status.padEnd(11)} ${oneLine(h.host)}${h.reason ? `: ${oneLine(h.reason)}` : ''}`);
      if (!args.host) continue;
      for (const c of checks.filter((c) => c.host === h.host)) {
        out.push(
          `      check ${c.checkId.padEnd(28)} ${c.status.padEnd(7)} ${c.severity.padEnd(8)} ${oneLine(c.message)}${c.fixStatus ? ` [${c.fixStatus}]` : ''}`,
        );
      }
      for (const s of steps.filter((s) => s.host === h.host)) {
        out.push(
          `      step ${oneLine(s.stepId)} ${oneLine(s.name, 80)}: ${s.status}${s.rc !== null ? ` rc=${s.rc}` : ''} (${s.durationMs} ms)`,
        );
        if (s.stdout) out.push(indent(s.stdout, '        | ') + (s.stdoutTruncated ? '\n        | [output truncated]' : ''));
        if (s.stderr) out.push(indent(s.stderr, '        ! ') + (s.stderrTruncated ? '\n        ! [output truncated]' : ''));
      }
    }
    io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  });
}

function indent(text: string, prefix: string): string {
  return (
    text
      .replace(/\n$/, '')
      .split('\n')
      // Indentation kept: a diff or a config stanza is unreadable flush left.
      .map((l) => prefix + blockLine(l))
      .join('\n')
  );
}

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n`;
}
