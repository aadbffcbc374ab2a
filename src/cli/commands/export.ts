/** `fleet export RUN --format json|junit|csv`: a run for CI dashboards, spreadsheets and scripts. */
import path from 'node:path';
import { buildCsv } from '../../report/csv.js';
import { buildJunit } from '../../report/junit.js';
import { loadRunData } from '../../report/run-data.js';
import { buildRunJson } from '../../report/run-json.js';
import { selectRun } from '../../report/select-run.js';
import { dbOptions, runPositional, type ArgsOf } from '../options.js';
import { defineCommand } from '../define-command.js';
import { outputModeOption, parseOutputMode, writeOutputFile } from '../output-file.js';
import { withReadOnlyStore } from '../session.js';
import type { Io } from '../io.js';
import { terminalJson } from '../../output/terminal-safe.js';

const exportOptions = {
  format: { alias: 'F', type: 'string', choices: ['json', 'junit', 'csv'], demandOption: true, describe: 'Output format' },
  output: { alias: 'o', type: 'string', describe: 'File to write (default stdout)' },
} as const;

type ExportArgs = ArgsOf<typeof exportOptions & typeof dbOptions & typeof outputModeOption & { run: typeof runPositional }>;

export const exportCommand = defineCommand({
  command: 'export <run>',
  describe: 'Export a run as JSON (like run --json), JUnit XML (one testcase per host × check) or CSV',
  positionals: { run: runPositional },
  options: { ...dbOptions, ...exportOptions, ...outputModeOption },
  examples: [
    ['$0 export last --format junit -o fleet-junit.xml', 'for a CI test-results view'],
    ['$0 export 42 --format csv > run42.csv', 'one row per host × check'],
  ],
  run: exportRun,
});

async function exportRun(io: Io, args: ExportArgs): Promise<number> {
  const mode = parseOutputMode(args.mode);
  const text = await withReadOnlyStore(io, args.db, 'export', async (store) => {
    const run = await selectRun(store, { run: args.run });
    const data = await loadRunData(store, run.id);
    return args.format === 'json'
      ? `${terminalJson(buildRunJson(data.run, data.hosts, data.checks, data.fleet))}\n`
      : args.format === 'junit'
        ? buildJunit(data)
        : buildCsv(data);
  });
  if (!args.output || args.output === '-') {
    io.stdout.write(text);
    return 0;
  }
  const file = path.resolve(io.cwd, args.output);
  writeOutputFile(file, text, mode);
  io.stderr.write(`wrote ${file}\n`);
  return 0;
}
