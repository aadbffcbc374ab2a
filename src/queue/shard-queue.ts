/**
 * The job queue of sharded runs: the ONLY module in fleet that imports pg-boss. Its tables live in the
 * `pgboss` schema of the results database itself, so a sharded run needs nothing but that database.
 *
 * One queue per shard tag: `fleet-shards` for untagged shards, `fleet-shards.GROUP` for shards built
 * from inventory group GROUP (`fleet run --shard-by`), so `fleet worker --tags dc1` fetches from
 * `fleet-shards.dc1` only. Every shard job names `fleet-shards-dead` as its dead-letter queue.
 *
 * LEASES (pg-boss 10). fetch() makes a job `active` for `expireInSeconds`; there is NO heartbeat and no
 * way to extend it. When it runs out, any pg-boss instance's maintenance (every
 * `maintenanceIntervalSeconds`) fails the job "by timeout", and it is retried (same job id) until
 * `retryLimit`, then copied to the dead-letter queue. Nothing tells the first worker: it may still be
 * running, and its complete()/fail() would act on the NEW attempt (same id, state active). So fleet
 * keeps its own attempt number per shard (store/shards.ts) and only completes or fails a job it still
 * owns there; see cli/shards.ts for how the expiry is chosen and how a worker stops itself before it.
 */
import PgBoss from 'pg-boss';

export interface ShardJobData {
  readonly runId: number;
  readonly shard: number;
}

export interface ShardJob {
  readonly id: string;
  readonly queue: string;
  readonly data: ShardJobData;
  /** The lease pg-boss gave this delivery. */
  readonly expireInSeconds: number;
}

export interface JobPolicy {
  /** Retries after the first attempt (pg-boss retryLimit). */
  readonly retryLimit: number;
  /** The lease of each attempt. */
  readonly expireInSeconds: number;
}

export interface QueueOpenOptions {
  /** Run pg-boss maintenance (expiring leases, dead-lettering) from this process: workers do. */
  readonly supervise: boolean;
  /** How often maintenance runs (default 60 s): the delay before an expired lease is noticed. */
  readonly maintenanceIntervalSeconds?: number;
  readonly onError?: (err: Error) => void;
}

export const SHARD_QUEUE = 'fleet-shards';
export const DEAD_QUEUE = 'fleet-shards-dead';
const SCHEMA = 'pgboss';

/** The queue of shards tagged `tag` (an inventory group), or of untagged shards. */
export function queueOf(tag: string | null): string {
  return tag === null ? SHARD_QUEUE : `${SHARD_QUEUE}.${tag}`;
}

/** Whether `tag` can name a queue (pg-boss queue names: letters, digits, _ - .). */
export const validTag = (tag: string): boolean => /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(tag);

export class ShardQueue {
  private constructor(private readonly boss: PgBoss) {}

  static async open(url: string, opts: QueueOpenOptions): Promise<ShardQueue> {
    const boss = new PgBoss({
      connectionString: url,
      schema: SCHEMA,
      application_name: 'fleet-queue',
      max: 2,
      supervise: opts.supervise,
      schedule: false,
      ...(opts.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds } : {}),
    });
    boss.on('error', (err: Error) => opts.onError?.(err));
    await boss.start();
    await boss.createQueue(DEAD_QUEUE);
    return new ShardQueue(boss);
  }

  /** Queues one job per shard on the queue of `tag`. */
  async enqueue(tag: string | null, jobs: readonly ShardJobData[], policy: JobPolicy): Promise<void> {
    const name = queueOf(tag);
    await this.boss.createQueue(name);
    await this.boss.insert(
      jobs.map((data) => ({
        name,
        data,
        retryLimit: policy.retryLimit,
        expireInSeconds: policy.expireInSeconds,
        deadLetter: DEAD_QUEUE,
      })),
    );
  }

  /** Shard queues that exist now: the untagged one and one per tag. */
  async shardQueues(): Promise<string[]> {
    return (await this.boss.getQueues()).map((q) => q.name).filter((n) => n === SHARD_QUEUE || n.startsWith(`${SHARD_QUEUE}.`));
  }

  /** One job from the first of `queues` that has one (leased for its expireInSeconds). */
  async fetch(queues: readonly string[]): Promise<ShardJob | undefined> {
    for (const queue of queues) {
      const [job] = await this.boss.fetch<ShardJobData>(queue, { batchSize: 1 });
      if (job) return { id: job.id, queue, data: job.data, expireInSeconds: Number(job.expireInSeconds) };
    }
    return undefined;
  }

  complete(job: ShardJob): Promise<unknown> {
    return this.boss.complete(job.queue, job.id);
  }

  fail(job: ShardJob, message: string): Promise<unknown> {
    return this.boss.fail(job.queue, job.id, { message });
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, timeout: 5000 });
  }
}
