/** `fleet worker`: takes the shards of sharded runs (`fleet run --shards`) from PostgreSQL and runs them. */
import { InputError } from '../../core/errors.js';
import { defaultDbTarget } from '../../store/open.js';
import { dbOptions, splitList } from '../options.js';
import { defineCommand } from '../define-command.js';
import { runWorker } from '../shards.js';

const workerOptions = {
  ...dbOptions,
  concurrency: { alias: 'k', type: 'number', default: 2, describe: "Shards to run at once (each with its run's --forks)" },
  tags: {
    alias: 't',
    type: 'string',
    array: true,
    describe: 'Take only shards built from these inventory groups (fleet run --shard-by); default: every shard',
  },
  'poll-interval': { type: 'number', default: 2, describe: 'Seconds between looks for work when idle' },
  'maintenance-interval': {
    type: 'number',
    default: 60,
    describe: "Seconds between queue maintenance passes: how soon a dead worker's expired shard lease is noticed",
  },
  'exit-when-idle': { type: 'number', default: 0, hidden: true, describe: 'Exit after this many idle polls (tests, benchmarks)' },
} as const;

export const workerCommand = defineCommand({
  command: 'worker',
  describe:
    'Run the shards of sharded runs (fleet run --shards) queued in a PostgreSQL store; SIGTERM finishes the running shards, then exits',
  options: workerOptions,
  examples: [
    ['$0 worker --db postgres://fleet@db/fleet --concurrency 2', 'two shards at a time'],
    ['$0 worker --db postgres://fleet@db/fleet --tags dc1', 'only shards of inventory group dc1 (fleet run --shard-by dc)'],
  ],
  async run(io, argv) {
    const positive = (name: string, v: number) => {
      if (!Number.isFinite(v) || v <= 0) throw new InputError(`--${name} must be a positive number, not '${v}'`);
    };
    positive('concurrency', argv.concurrency);
    positive('poll-interval', argv['poll-interval']);
    positive('maintenance-interval', argv['maintenance-interval']);
    if (!Number.isInteger(argv.concurrency)) throw new InputError(`--concurrency must be a whole number, not '${argv.concurrency}'`);
    return runWorker(io, {
      db: argv.db ?? defaultDbTarget(),
      concurrency: argv.concurrency,
      tags: splitList(argv.tags),
      pollMs: argv['poll-interval'] * 1000,
      maintenanceSeconds: Math.max(1, Math.round(argv['maintenance-interval'])),
      exitWhenIdle: argv['exit-when-idle'],
    });
  },
});
