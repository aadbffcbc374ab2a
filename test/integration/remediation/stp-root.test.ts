/**
 * The real kernel's STP quirk behind a non-idempotent remediation: a bridge that lost the STP root
 * election reports the ROOT's forward delay, and keeps doing so after `stp_state 0` +
 * `forward_delay 0` until its root port's message-age timer runs out (max_age, 20 s). planApply's
 * batch must leave it at the declared delay at once, so that verification sees the declared state
 * and the next run is a no-op.
 *
 * Two bridges in one private network namespace, joined by a veth pair, both running STP: one of
 * them becomes the root, the other is the bridge under test. The namespace lives as long as a
 * `read` on a pipe from this process, so it vanishes with the test even if the runner is killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBridgeParams } from '../../../src/bridge/index.js';
import { planApply } from '../../../src/remediation/apply-plan.js';
import { linkByName, parseRuntime, RUNTIME_DUMP, type RuntimeSnapshot } from '../../../src/remediation/runtime.js';

let holder: ChildProcess;
let netns: string;

function ip(args: string[], input?: string): string {
  const r = spawnSync('nsenter', [`--net=${netns}`, 'ip', ...args], { input, encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function snapshot(): RuntimeSnapshot {
  const r = spawnSync('nsenter', [`--net=${netns}`, 'sh', '-c', RUNTIME_DUMP], { encoding: 'utf8', timeout: 10_000 });
  return parseRuntime(r.stdout);
}

/** Fresh pair: bra (port va) and brb (port vb), STP on, forward delay 15 s; resolves to the non-root one. */
async function electedPair(tag: string): Promise<{ br: string; params: ReturnType<typeof validateBridgeParams> }> {
  const a = `bra${tag}`;
  const b = `brb${tag}`;
  ip(['link', 'add', `va${tag}`, 'type', 'veth', 'peer', 'name', `vb${tag}`]);
  for (const [br, port] of [
    [a, `va${tag}`],
    [b, `vb${tag}`],
  ] as const) {
    ip(['link', 'add', br, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    ip(['link', 'set', port, 'master', br, 'up']);
    ip(['link', 'set', br, 'up']);
    ip(['link', 'set', br, 'type', 'bridge', 'stp_state', '1']);
    ip(['link', 'set', br, 'type', 'bridge', 'forward_delay', '1500']);
  }
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const s = snapshot();
    const loser = [a, b].find((n) => (linkByName(s, n)?.rootPort ?? 0) !== 0);
    if (loser)
      return {
        br: loser,
        params: validateBridgeParams(
          { bridge: loser, uplink: loser === a ? `va${tag}` : `vb${tag}`, stp: false, forward_delay: 0 },
          'stp-test',
        ),
      };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('no STP root elected within 20 s');
}

beforeAll(async () => {
  holder = spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up; echo ready; read _'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.stdout?.once('data', () => resolve());
  });
  netns = `/proc/${holder.pid}/ns/net`;
});

afterAll(() => {
  holder?.stdin?.end();
  holder?.kill('SIGKILL');
});

describe('STP off on a bridge that is not the STP root (real kernel)', () => {
  it("the kernel keeps showing the root's delay after stp_state 0 + forward_delay 0 alone (why the plan does more)", async () => {
    const { br, params } = await electedPair('1');
    expect(linkByName(snapshot(), br)?.forwardDelayCs).toBe(1500);
    ip(['-force', '-batch', '-'], `link set dev ${br} type bridge stp_state 0\nlink set dev ${br} type bridge forward_delay 0\n`);
    const after = linkByName(snapshot(), br);
    // If this fails, the kernel no longer keeps the root's delay (then rootKick in apply-plan.ts is moot).
    expect(after, `kernel ${os.release()}: a non-root bridge's delay right after STP off`).toMatchObject({ stp: 0, forwardDelayCs: 1500 });
    // The plan does not take that for done: it re-issues the delay and re-elects the bridge root.
    const plan = planApply(snapshot(), params);
    expect(plan.batch).toContain(`link set dev ${br} type bridge priority 0`);
    ip(['-force', '-batch', '-'], plan.batch.join('\n') + '\n');
    expect(linkByName(snapshot(), br)).toMatchObject({ stp: 0, forwardDelayCs: 0, priority: 32768 });
    expect(planApply(snapshot(), params).batch).toEqual([]);
  });

  it("planApply's batch leaves it at the declared delay at once, priority unchanged, and a second plan is empty", async () => {
    const { br, params } = await electedPair('2');
    const plan = planApply(snapshot(), params);
    ip(['-force', '-batch', '-'], plan.batch.join('\n') + '\n');
    expect(linkByName(snapshot(), br)).toMatchObject({ stp: 0, forwardDelayCs: 0, priority: 32768, rootPort: 0 });
    expect(planApply(snapshot(), params).batch).toEqual([]);
  });
});
