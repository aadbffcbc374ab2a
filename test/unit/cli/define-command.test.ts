/** A command defined as data becomes the yargs command it describes, and its result the exit code. */
import { PassThrough } from 'node:stream';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { defineCommand, defineCommandGroup, withCommands } from '../../../src/cli/define-command.js';
import type { Io } from '../../../src/cli/io.js';

const io: Io = { stdout: new PassThrough(), stderr: new PassThrough(), stderrIsTTY: false, env: {}, cwd: '/' };

const seen: unknown[] = [];
const greet = defineCommand({
  command: 'greet <who> [times]',
  describe: 'Greets',
  positionals: {
    who: { type: 'string', demandOption: true, describe: 'Whom to greet' },
    times: { type: 'number', describe: 'How often' },
  },
  options: {
    loud: { type: 'boolean', describe: 'Shout' },
    mode: { type: 'string', choices: ['a', 'b'], default: 'a', describe: 'Mode' },
    hush: { type: 'boolean', describe: 'Whisper' },
  },
  refine: (y) => y.conflicts('loud', 'hush'),
  examples: [
    ['$0 greet world', 'once'],
    ['$0 greet world 3 --loud', 'three times, loudly'],
  ],
  async run(_io, args) {
    seen.push({ who: args.who, times: args.times, loud: args.loud, mode: args.mode });
    return args.who === 'nobody' ? 2 : 0;
  },
});
const group = defineCommandGroup({ command: 'say', describe: 'Says things', commands: [greet], demand: 'name a say command' });

async function parse(argv: string[]): Promise<{ code: number | undefined; help: string; error: string | undefined }> {
  let code: number | undefined;
  let help = '';
  let error: string | undefined;
  await withCommands(yargs(argv).scriptName('t'), [greet, group], io, (c) => (code = c))
    .strict()
    .exitProcess(false)
    .fail((msg) => {
      error = msg;
    })
    .parseAsync(argv, {}, (_err, _argv, output) => {
      help = output;
    });
  return { code, help, error };
}

describe('defineCommand', () => {
  it('passes the parsed positionals and options to run, and sets the exit code from its result', async () => {
    seen.length = 0;
    expect((await parse(['greet', 'world', '3', '--loud'])).code).toBe(0);
    expect((await parse(['say', 'greet', 'nobody'])).code).toBe(2);
    expect(seen).toEqual([
      { who: 'world', times: 3, loud: true, mode: 'a' },
      { who: 'nobody', times: undefined, loud: undefined, mode: 'a' },
    ]);
  });

  it('describes positionals, options and examples in --help, in the order given', async () => {
    const { help } = await parse(['greet', '--help']);
    expect(help).toMatch(/Greets[\s\S]*who\s+Whom to greet[\s\S]*times\s+How often[\s\S]*--loud\s+Shout[\s\S]*--mode\s+Mode/);
    expect(help).toMatch(/Examples:\s+t greet world\s+once\s+t greet world 3 --loud\s+three times, loudly/);
  });

  it('applies refine (conflicts) and the choices of the definitions; a group demands a subcommand', async () => {
    expect((await parse(['greet', 'x', '--loud', '--hush'])).error).toMatch(/mutually exclusive/);
    expect((await parse(['greet', 'x', '--mode', 'c'])).error).toMatch(/Invalid values/);
    expect((await parse(['say'])).error).toBe('name a say command');
  });
});
