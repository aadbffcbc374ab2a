/**
 * The controller side of commit-confirmed, against a scripted host: the paths the simulated fleet
 * cannot produce on demand (the commit's answer lost with the connection). The real host side of
 * every script is exercised by test/integration/remediation/.
 */
import { describe, expect, it } from 'vitest';
import type { ModuleContext } from '../../../src/modules/types.js';
import { remediateBridge, type RemediationOptions } from '../../../src/remediation/flow.js';
import { MARK } from '../../../src/remediation/host-scripts.js';
import { RUNTIME_DUMP } from '../../../src/remediation/runtime.js';
import { TemplateEngine } from '../../../src/templates/render.js';
import type { CommandResult } from '../../../src/core/result.js';
import { UnreachableError } from '../../../src/transport/types.js';

const MAC = '02:18:00:00:01:00';
const link = (ifname: string, extra: object = {}) => ({ ifname, flags: ['UP'], mtu: 1500, address: MAC, ...extra });
const runtime = (stp: number, fd: number) =>
  [
    JSON.stringify([
      link('eth0', { master: 'br0' }),
      link('br0', { linkinfo: { info_kind: 'bridge', info_data: { stp_state: stp, forward_delay: fd, priority: 32768, root_port: 0 } } }),
    ]),
    JSON.stringify([{ ifname: 'br0', addr_info: [{ family: 'inet', local: '198.18.0.2', prefixlen: 24, scope: 'global' }] }]),
    JSON.stringify([]),
  ].join('\n');

const answer = (stdout: string): CommandResult => ({
  command: '',
  rc: 0,
  signal: null,
  stdout,
  stderr: '',
  durationMs: 1,
  timedOut: false,
});

const OPTS: RemediationOptions = {
  confirmTimeoutS: 30,
  txDir: '/var/lib/fleet/tx',
  applyMethod: 'runtime',
  settleMs: 0,
  rollbackGraceS: 5,
  verifyCommand: null,
};
const VARS = { bridge: 'br0', uplink: 'eth0', address: '198.18.0.2/24', network_stack: 'ifupdown' };

/** A host that answers fleet's scripts; `onCommit` decides what the commit does. */
function scriptedHost(onCommit: (host: { decision: string }) => CommandResult, opts: { switchFiresWhileVerifying?: boolean } = {}) {
  const host = { applied: false, decision: '', commits: 0, log: [] as string[] };
  const ok = answer;
  const exec = async (cmd: string): Promise<CommandResult> => {
    const now = host.applied ? runtime(0, 0) : runtime(1, 1500);
    if (cmd.includes(`${MARK} runtime`)) {
      host.log.push('probe');
      // The interfaces file is absent: the remediation writes it.
      return ok(`${MARK} runtime\n${now}\n${MARK} file 0\nabsent\n${MARK} env\nswitch=setsid\nhas=setsid\n${MARK} end\n`);
    }
    if (cmd.includes('echo backed-up')) return (host.log.push('backup'), ok('backed-up\n'));
    if (cmd.includes('fleet-deadman')) return (host.log.push('arm'), ok('armed setsid 4242\n'));
    if (cmd.includes('echo started')) {
      host.applied = true;
      return (host.log.push('apply'), ok('started\n'));
    }
    if (cmd.includes('apply_rc=')) {
      const done = host.decision === 'rollback' ? 'rollback_rc=0\nrollback_done=1\n' : '';
      return ok(`apply_rc=0\ndecision=${host.decision}\n${done}${MARK} log\n`);
    }
    if (cmd === 'facts') return ok('{}\n');
    if (cmd === RUNTIME_DUMP && opts.switchFiresWhileVerifying && host.decision === '') {
      // The switch fires just before this read: the host is back in its old state.
      host.decision = 'rollback';
      host.applied = false;
      host.log.push('switch-fired');
      return ok(runtime(1, 1500));
    }
    if (cmd === RUNTIME_DUMP) return ok(now);
    if (cmd.includes('echo committed')) {
      host.commits++;
      host.log.push('commit');
      return onCommit(host);
    }
    if (cmd.includes('rollback.sh')) return (host.log.push('rollback-now'), ok('rolling-back\n'));
    throw new Error(`unexpected script: ${cmd.slice(0, 60)}`);
  };
  const ctx: ModuleContext = {
    host: 'hv01',
    task: { id: 'p1.t1', name: 'bridge', loc: { file: 'pb.yml', line: 1 } },
    dryRun: false,
    diff: false,
    vars: {},
    engine: new TemplateEngine(),
    playbookDir: '.',
    catalog: {
      hasCheck: () => false,
      checkIds: () => [],
      runCheck: () => {
        throw new Error('no checks');
      },
      fleetCheckIds: () => [],
      runFleetCheck: () => [],
      hasFix: () => false,
      planFix: () => {
        throw new Error('no fixes');
      },
      factsCommand: () => 'facts',
      parseFacts: () => ({}),
    },
    signal: new AbortController().signal,
    exec,
    facts: async () => ({}),
    reconnect: async () => undefined,
  };
  return { host, ctx };
}

describe('commit-confirmed, controller side', () => {
  it("a commit whose answer is lost with the connection is recognised from the host's decision: applied, not a rollback", async () => {
    const { host, ctx } = scriptedHost((h) => {
      if (h.decision === '') h.decision = 'commit'; // it landed on the host…
      throw new UnreachableError('hv01', 'closed', 'connection lost'); // …but the answer did not come back
    });
    const r = await remediateBridge(ctx, VARS, OPTS);
    expect(r.failed).toBeUndefined();
    expect(r).toMatchObject({ changed: true, data: { outcome: 'applied' } });
    expect(r.msg).toMatch(/^applied: br0 in the declared state, verified over a new connection and committed$/);
    // Committed once; never rolled back.
    expect(host.commits).toBe(1);
    expect(host.log).not.toContain('rollback-now');
  });

  it('a commit that lost the race to the switch waits for the host to finish restoring itself: rolled_back', async () => {
    const { host, ctx } = scriptedHost((h) => {
      h.decision = 'rollback'; // the switch fired a moment before the commit arrived
      return answer('too-late rollback\n');
    });
    const r = await remediateBridge(ctx, VARS, OPTS);
    expect(r).toMatchObject({ changed: true, failed: true, data: { outcome: 'rolled_back' } });
    expect(r.msg).toMatch(
      /^rolled_back: the dead-man switch fired while fleet was committing \(bridge_confirm_timeout 30s was too short[^)]*raise it\); the host restored its previous config and runtime \(rollback rc 0\)/,
    );
    expect(host.commits).toBe(1);
  });

  it('a switch that fires during the verification is named as the reason, not the restored state the verification then read', async () => {
    const { host, ctx } = scriptedHost(() => answer('committed\n'), { switchFiresWhileVerifying: true });
    const r = await remediateBridge(ctx, VARS, OPTS);
    expect(r).toMatchObject({ changed: true, failed: true, data: { outcome: 'rolled_back' } });
    expect(r.msg).toMatch(/^rolled_back: the dead-man switch fired while fleet was verifying \(bridge_confirm_timeout 30s was too short/);
    expect(r.msg).not.toMatch(/not in the declared state/);
    // Never committed, and no second rollback started over the one already running.
    expect(host.commits).toBe(0);
    expect(host.log).not.toContain('rollback-now');
  });
});
