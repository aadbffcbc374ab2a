/** `fleet serve`: the latest report and the run history in a browser; read-only, loopback by default. */
import { InputError } from '../../core/errors.js';
import { isLoopback, startReportServer } from '../../report/server.js';
import { checkTrend, dbOptions, trendOptions, type ArgsOf } from '../options.js';
import { defineCommand } from '../define-command.js';
import { withReadOnlyStore } from '../session.js';
import type { Io } from '../io.js';

export const DEFAULT_SERVE_PORT = 8377;

const serveOptions = {
  port: { alias: 'p', type: 'number', default: DEFAULT_SERVE_PORT, describe: 'TCP port (0 = any free port)' },
  bind: {
    type: 'string',
    default: '127.0.0.1',
    describe: 'Address to listen on. Anything but loopback exposes every run to the network',
  },
} as const;

type ServeArgs = ArgsOf<typeof serveOptions & typeof dbOptions & typeof trendOptions>;

export const serveCommand = defineCommand({
  command: 'serve',
  describe: 'Serve the latest report and the run history over HTTP (read-only; 127.0.0.1 unless --bind)',
  options: { ...dbOptions, ...trendOptions, ...serveOptions },
  examples: [
    ['$0 serve', 'http://127.0.0.1:8377/'],
    ['ssh -L 8377:127.0.0.1:8377 controller', 'reach it from your workstation without exposing it'],
  ],
  run: serve,
});

async function serve(io: Io, args: ServeArgs): Promise<number> {
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new InputError(`--port must be 0-65535, not ${args.port}`);
  checkTrend(args.trend);
  return withReadOnlyStore(io, args.db, 'serve', async (store) => {
    const server = await startReportServer(store, {
      port: args.port,
      bind: args.bind,
      trend: args.trend,
      log: (l) => io.stderr.write(`${l}\n`),
    });
    if (!isLoopback(args.bind))
      io.stderr.write(`fleet: WARNING: listening on ${args.bind}: anyone who can reach it can read every recorded run\n`);
    io.stderr.write(`serving ${server.url} (latest report; history at ${server.url}runs) — read-only; Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return 0;
  });
}
