/** `fleet diff A B` (or `--last 2`): per host and check, what changed between two runs. */
import { InputError } from '../../core/errors.js';
import { diffRuns } from '../../report/diff.js';
import { formatDiff } from '../../report/diff-text.js';
import { loadRunData } from '../../report/run-data.js';
import { latestRuns, previousRun, selectRun } from '../../report/select-run.js';
import { dbOptions, type ArgsOf } from '../options.js';
import { defineCommand } from '../define-command.js';
import { withReadOnlyStore } from '../session.js';
import type { Io } from '../io.js';
import { terminalJson } from '../../output/terminal-safe.js';

const diffOptions = {
  last: { type: 'number', describe: 'Compare the newest two runs (of --playbook if given): --last 2' },
  playbook: { type: 'string', describe: 'With --last or no runs named: runs of this playbook' },
  json: { type: 'boolean', describe: 'JSON instead of text' },
} as const;

type DiffArgs = ArgsOf<typeof diffOptions & typeof dbOptions> & { a?: string; b?: string };

export const diffCommand = defineCommand({
  command: 'diff [a] [b]',
  describe: 'What changed between two runs, per host and check (new failures, fixed, changed)',
  positionals: {
    a: { type: 'string', describe: 'Older run id (or last). Alone: compared with the run of the same playbook before it' },
    b: { type: 'string', describe: 'Newer run id (or last)' },
  },
  options: { ...dbOptions, ...diffOptions },
  examples: [
    ['$0 diff 41 42', 'run 41 against run 42'],
    ['$0 diff --last 2 --playbook health-check', 'the two latest health checks'],
    ['$0 diff', 'the latest run against the previous run of its playbook'],
  ],
  run: diff,
});

async function diff(io: Io, args: DiffArgs): Promise<number> {
  if (args.last !== undefined && args.last !== 2) throw new InputError(`--last compares two runs: use --last 2, not --last ${args.last}`);
  if (args.last !== undefined && args.a !== undefined) throw new InputError('name two runs or use --last 2, not both');
  return withReadOnlyStore(io, args.db, 'diff', async (store) => {
    let idA: number;
    let idB: number;
    if (args.a !== undefined && args.b !== undefined) {
      idA = (await selectRun(store, { run: args.a })).id;
      idB = (await selectRun(store, { run: args.b })).id;
    } else if (args.last !== undefined) {
      const [newest, older] = await latestRuns(store, 2, args.playbook);
      idA = older!.id;
      idB = newest!.id;
    } else {
      const b = await selectRun(store, { run: args.a, playbook: args.playbook });
      const a = await previousRun(store, b);
      if (!a) throw new InputError(`run ${b.id} (${b.playbook}) has no earlier finished run of the same playbook to compare with`);
      idA = a.id;
      idB = b.id;
    }
    const d = diffRuns(await loadRunData(store, idA), await loadRunData(store, idB));
    io.stdout.write(args.json ? `${terminalJson(d)}\n` : formatDiff(d));
    return 0;
  });
}
