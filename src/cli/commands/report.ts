/** `fleet report`: one self-contained HTML file for a run (what is broken, where, since when, what changed). */
import path from 'node:path';
import { buildReport } from '../../report/build-report.js';
import { selectRun } from '../../report/select-run.js';
import { oneLine } from '../../output/terminal-safe.js';
import { checkTrend, dbOptions, trendOptions, type ArgsOf } from '../options.js';
import { outputModeOption, parseOutputMode, writeOutputFile } from '../output-file.js';
import { defineCommand } from '../define-command.js';
import { withReadOnlyStore } from '../session.js';
import type { Io } from '../io.js';

const reportOptions = {
  run: { type: 'string', describe: 'Run id, or last (default: the latest run, of --playbook if given)' },
  last: { type: 'boolean', describe: 'The latest run (the default)', conflicts: 'run' },
  playbook: {
    type: 'string',
    describe: 'Latest run of this playbook; changes and trend always compare runs of the same playbook',
  },
  output: { alias: 'o', type: 'string', describe: 'File to write (default fleet-report-RUN.html; - for stdout)' },
} as const;

type ReportArgs = ArgsOf<typeof reportOptions & typeof dbOptions & typeof trendOptions & typeof outputModeOption>;

export const reportCommand = defineCommand({
  command: 'report',
  describe: 'Write an HTML report of a run: summary, failing checks, host × check matrix, changes, trend (one offline file)',
  options: { ...dbOptions, ...trendOptions, ...reportOptions, ...outputModeOption },
  examples: [
    ['$0 report', 'the latest run, to fleet-report-<id>.html'],
    ['$0 report --playbook health-check -o /srv/reports/today.html', 'the latest health check'],
  ],
  run: writeReport,
});

async function writeReport(io: Io, args: ReportArgs): Promise<number> {
  checkTrend(args.trend);
  const mode = parseOutputMode(args.mode);
  return withReadOnlyStore(io, args.db, 'report', async (store) => {
    const run = await selectRun(store, { run: args.run, playbook: args.playbook });
    const started = Date.now();
    const { model, html } = await buildReport(store, run.id, { trend: args.trend });
    if (args.output === '-') {
      io.stdout.write(html);
      return 0;
    }
    const file = path.resolve(io.cwd, args.output ?? `fleet-report-${run.id}.html`);
    // Write then rename: a reader (a browser refreshing, a web server) never sees half a report.
    writeOutputFile(file, html, mode);
    const t = model.tiles;
    io.stderr.write(
      `wrote ${file} (${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB, ${Date.now() - started} ms): run ${run.id} ${oneLine(run.playbook, 60)}, ` +
        `${t.hosts} hosts, ${t.failing} failing, ${t.unreachable} unreachable, ${t.checksFailing} checks failing\n`,
    );
    return 0;
  });
}
