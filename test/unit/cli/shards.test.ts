/** How a sharded run cuts its hosts into shards, and how long a shard's lease is. */
import { describe, expect, it } from 'vitest';
import { leaseSeconds, planShards } from '../../../src/cli/shards.js';
import type { Host } from '../../../src/core/inventory.js';

const host = (name: string, ...groups: string[]): Host => ({ name, groups: ['all', ...groups], vars: {} });
const hosts = Array.from({ length: 10 }, (_, i) => host(`hv${i}`, `rack${i % 2}`, i < 6 ? 'dc1' : 'dc2'));

describe('planShards', () => {
  it('cuts hosts in inventory order: --shards N makes shards of ceil(hosts/N), --shard-size S of S', () => {
    expect(planShards(hosts, { shards: 3 }).map((s) => s.hosts.length)).toEqual([4, 4, 2]);
    expect(planShards(hosts, { 'shard-size': 4 }).map((s) => s.hosts)).toEqual([
      ['hv0', 'hv1', 'hv2', 'hv3'],
      ['hv4', 'hv5', 'hv6', 'hv7'],
      ['hv8', 'hv9'],
    ]);
    expect(planShards(hosts, { shards: 50 })).toHaveLength(10);
    expect(planShards(hosts, { shards: 2 }).every((s) => s.group === null)).toBe(true);
  });

  it('--shard-by PREFIX: per group (the first of the host groups with that prefix), each cut apart', () => {
    const shards = planShards([...hosts, host('lonely', 'rack9')], { 'shard-size': 4, 'shard-by': 'dc' });
    expect(shards.map((s) => [s.group, s.hosts.length])).toEqual([
      ['dc1', 4],
      ['dc1', 2],
      ['dc2', 4],
      [null, 1],
    ]);
  });

  it('refuses bad numbers and both options at once', () => {
    expect(() => planShards(hosts, { shards: 0 })).toThrow(/--shards must be a positive whole number/);
    expect(() => planShards(hosts, { 'shard-size': 2.5 })).toThrow(/--shard-size/);
    expect(() => planShards(hosts, { shards: 2, 'shard-size': 3 })).toThrow(/not both/);
  });
});

describe('leaseSeconds', () => {
  it('covers the worst case of every wave of a shard, twice over, plus a minute', () => {
    // 250 hosts at forks 50: 5 waves of at most 10 + 2 x 120 s.
    expect(leaseSeconds(250, 50, 10, 120)).toBe(5 * 250 * 2 + 60);
    expect(leaseSeconds(10, 50, 10, 120)).toBe(250 * 2 + 60);
    // pg-boss refuses leases of 24 h or more.
    expect(leaseSeconds(100_000, 1, 10, 120)).toBeLessThan(24 * 3600);
  });
});
