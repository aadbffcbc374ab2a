/**
 * Runs fleet's report commands in-process the way src/cli/main.ts does (yargs strict, FleetError ->
 * one line + exit code), until the lead registers them in main; then tests can call main() instead.
 */
import { PassThrough } from 'node:stream';
import yargs from 'yargs';
import { diffCommand } from '../../../src/cli/commands/diff.js';
import { exportCommand } from '../../../src/cli/commands/export.js';
import { reportCommand } from '../../../src/cli/commands/report.js';
import { serveCommand } from '../../../src/cli/commands/serve.js';
import type { Io } from '../../../src/cli/io.js';
import { FleetError } from '../../../src/core/errors.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: string[], cwd: string, onStderr?: (text: string) => void): Promise<CliResult> {
  const out = collect();
  const err = collect();
  if (onStderr) err.stream.on('data', (c: Buffer) => onStderr(c.toString('utf8')));
  const io: Io = { stdout: out.stream, stderr: err.stream, stderrIsTTY: false, env: {}, cwd };
  let code = 0;
  const setExit = (c: number) => (code = c);
  let usage: string | undefined;
  try {
    await yargs(argv)
      .scriptName('fleet')
      .command(reportCommand(io, setExit))
      .command(exportCommand(io, setExit))
      .command(diffCommand(io, setExit))
      .command(serveCommand(io, setExit))
      .demandCommand(1)
      .strict()
      .exitProcess(false)
      .fail((msg, e) => {
        if (e) throw e;
        usage = msg;
      })
      .parseAsync();
    if (usage) {
      io.stderr.write(`fleet: ${usage}\n`);
      code = 1;
    }
  } catch (e) {
    if (!(e instanceof FleetError)) throw e;
    io.stderr.write(`fleet: ${e.message}\n`);
    code = e.exitCode;
  }
  return { code, stdout: out.text(), stderr: err.text() };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
