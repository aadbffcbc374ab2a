/**
 * Commit-confirmed bridge remediation on one host (kvm-network-checks.md §4.2):
 *   probe (read-only, prepare.ts) → 1 backup → 2 arm the dead-man switch → 3 apply, detached →
 *   4 NEW connection, verify → 5 commit (disarm).
 * If verification fails, fleet starts the rollback itself; if the host does not answer before the
 * switch fires, the host restores itself and fleet waits for it to come back. In a dry run (read-only
 * or --check) only the probe runs: the diff, the runtime commands and the lockout warning are reported.
 */
import { sleepUnlessAborted as sleep } from '../core/sleep.js';
import type { ModuleContext, ModuleResult } from '../modules/types.js';
import { shQuote } from '../core/shell.js';
import { UnreachableError } from '../core/errors.js';
import {
  applySh,
  armScript,
  backupScript,
  commitScript,
  HOST_LOCK,
  LOCKED_RC,
  MARK,
  rollbackNowScript,
  startApplyScript,
  statusScript,
  unlockScript,
} from './host-scripts.js';
import { prepare, summary, timed, type Outcome, type Phases, type Prepared, type RemediationOptions } from './prepare.js';
import { bridgesToRecreate, restoreBatch } from './restore-plan.js';
import { verifyHost } from './verify.js';

export type { Outcome, RemediationOptions } from './prepare.js';

/** One host's change: what every step shares, and how each ending is reported. */
class HostChange {
  constructor(
    readonly ctx: ModuleContext,
    readonly p: Prepared,
    readonly opts: RemediationOptions,
    readonly phases: Phases,
    readonly batchNo: unknown,
  ) {}

  /** The module result for `outcome`; `lines` are appended to the step's output. */
  result(
    outcome: Outcome,
    r: { changed: boolean; failed?: boolean; msg: string; lines?: string[]; data?: Record<string, unknown> },
  ): ModuleResult {
    const { p } = this;
    return {
      changed: r.changed,
      ...(r.failed ? { failed: true } : {}),
      msg: r.msg,
      stdout: summary(p, outcome, this.batchNo, this.phases, r.lines),
      ...(p.diff ? { diff: p.diff } : {}),
      data: {
        outcome,
        batch: this.batchNo ?? null,
        stack: p.stack,
        changes: p.changes,
        commands: p.batch,
        files: p.changedFiles.map((f) => f.path),
        phases: this.phases,
        ...(p.warning ? { warning: p.warning } : {}),
        ...r.data,
      },
    };
  }
}

/** The result of a committed change. */
function committed(hc: HostChange, dir: string, applyRc: string, evidence: Record<string, unknown>): ModuleResult {
  const rcNote = applyRc === '0' || applyRc === '' ? '' : ` (apply rc ${applyRc}: some batch lines failed, but the result verified)`;
  return hc.result('applied', {
    changed: true,
    msg: `applied: ${hc.p.params.bridge} in the declared state, verified over a new connection and committed${rcNote}`,
    lines: [`tx: ${dir}`, `verified: ${JSON.stringify(evidence)}`],
    data: { tx: dir, evidence },
  });
}

/** A transaction on the host: its directory and when its dead-man switch fires. */
interface Tx {
  readonly dir: string;
  readonly fireAt: number;
}

/** Runs (or in a dry run describes) the remediation of one host's bridge. */
export async function remediateBridge(ctx: ModuleContext, vars: Record<string, unknown>, opts: RemediationOptions): Promise<ModuleResult> {
  const phases: Phases = {};
  const p = await prepare(ctx, vars, opts, phases);
  const hc = new HostChange(ctx, p, opts, phases, vars['fleet_batch']);
  if (p.batch.length === 0 && p.changedFiles.length === 0) {
    return hc.result('ok', { changed: false, msg: `ok: ${p.params.bridge} already in the declared state` });
  }
  if (ctx.dryRun) {
    const what = [
      p.changedFiles.length ? `${p.changedFiles.length} file(s)` : '',
      p.batch.length ? `${p.batch.length} runtime command(s)` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    return hc.result('would-apply', {
      changed: true,
      msg: `would apply ${what} to ${p.params.bridge}${p.warning ? ` — ${p.warning}` : ''}`,
    });
  }
  return applyConfirmed(hc);
}

async function applyConfirmed(hc: HostChange): Promise<ModuleResult> {
  const { ctx, p, opts, phases } = hc;
  const id = `${ctx.host.replace(/[^A-Za-z0-9_.-]/g, '_')}-${Date.now()}`;
  const dir = `${opts.txDir.replace(/\/+$/, '')}/${id}`;
  const touched = [
    p.params.bridge,
    p.params.uplink,
    ...p.probe.runtime.addrs.filter((a) => a.local === p.params.address?.split('/')[0]).map((a) => a.dev),
  ];
  const restore = restoreBatch(p.probe.runtime, { createdBridge: p.params.bridge, touched });
  const fail = (msg: string) => hc.result('failed', { changed: false, failed: true, msg, lines: [`tx: ${dir}`], data: { tx: dir } });

  const unlock = () => ctx.exec(unlockScript(dir), { timeoutMs: 10_000 }).catch(() => undefined);

  // 1. Lock the host (one transaction at a time), then back up, before anything changes.
  const backed = await timed(phases, 'backup', () =>
    ctx.exec(backupScript(dir, p.files, restore, bridgesToRecreate(p.probe.runtime)), { timeoutMs: 30_000 }),
  );
  if (backed.rc === LOCKED_RC) {
    const owner = /^locked (.*)$/m.exec(backed.stdout)?.[1]?.trim() || '(unknown)';
    return fail(
      `another fleet transaction is still open on this host (${HOST_LOCK} held by ${owner}); nothing changed: run again once it has committed or rolled back`,
    );
  }
  if (backed.rc !== 0) {
    await unlock();
    return fail(`backup failed (rc ${backed.rc}): ${backed.stderr.trim()}; nothing changed`);
  }
  // 2. Arm the switch; nothing is applied unless it is verifiably armed.
  const armedAt = Date.now();
  const armed = await timed(phases, 'arm', () =>
    ctx.exec(armScript(dir, opts.confirmTimeoutS, p.probe.switchMode, `fleet-rb-${id}`), { timeoutMs: 30_000 }),
  );
  if (armed.rc !== 0 || !armed.stdout.includes('armed')) {
    await unlock();
    return fail(`could not arm the dead-man switch (rc ${armed.rc}): ${armed.stderr.trim()}; nothing changed`);
  }
  const tx: Tx = { dir, fireAt: armedAt + opts.confirmTimeoutS * 1000 };
  // 3. Apply, detached: the old connection may die under it.
  const applyText = applySh(p.files, { batch: p.batch.length > 0, preWrite: p.preWrite, reload: p.reload });
  const started = await timed(phases, 'apply', async () => {
    try {
      return await ctx.exec(startApplyScript(dir, p.files, p.batch, applyText), { timeoutMs: 30_000 });
    } catch (err) {
      // The upload may race the change it starts; the status poll below tells what happened.
      if (err instanceof UnreachableError) return undefined;
      throw err;
    }
  });
  if (started && started.rc !== 0) {
    await ctx.exec(rollbackNowScript(dir)).catch(() => undefined);
    return waitRollback(hc, tx, `apply could not start (rc ${started.rc}): ${started.stderr.trim()}`);
  }

  // 4. New connections only, until the switch is about to fire (keep a margin to commit).
  const margin = Math.min(5000, Math.max(1000, opts.confirmTimeoutS * 200));
  const verifyBy = tx.fireAt - margin;
  await timed(phases, 'settle', () => sleep(opts.settleMs, ctx.signal));
  let lastProblem = 'host did not answer on a new connection';
  // Set once verification passed: if the connection drops around the commit, the host's decision file
  // tells whether the commit landed (only this controller commits this transaction).
  let verified: Record<string, unknown> | undefined;
  while (Date.now() < verifyBy && !ctx.signal.aborted) {
    try {
      await timed(phases, 'reconnect', () => ctx.reconnect());
      const st = parseStatus((await ctx.exec(statusScript(dir), { timeoutMs: 10_000 })).stdout);
      if (st.decision === 'commit' && verified) return committed(hc, dir, st.applyRc, verified);
      if (st.decision === 'rollback') return waitRollback(hc, tx, 'the dead-man switch fired before fleet could confirm');
      if (st.applyRc === '') {
        lastProblem = 'apply still running';
        await sleep(500, ctx.signal);
        continue;
      }
      const v = await timed(phases, 'verify', () => verifyHost(ctx, p.params, p.probe.runtime, p.probe.has, opts.verifyCommand));
      if (v.problems.length > 0) {
        // The switch may have fired while the verification ran: then it read the restored state, and
        // "not in the declared state" would blame the change for what is really a too-short window.
        const after = await ctx.exec(statusScript(dir), { timeoutMs: 10_000 }).catch(() => undefined);
        if (after && parseStatus(after.stdout).decision === 'rollback')
          return waitRollback(hc, tx, switchFiredWhile('verifying', opts), v.evidence);
        // Connected but wrong: roll back now rather than wait for the timer.
        await ctx.exec(rollbackNowScript(dir), { timeoutMs: 10_000 }).catch(() => undefined);
        return waitRollback(hc, tx, `verification failed: ${v.problems.join('; ')}`, v.evidence);
      }
      // 5. Commit.
      verified = v.evidence;
      const c = await timed(phases, 'commit', () => ctx.exec(commitScript(dir), { timeoutMs: 10_000 }));
      const answer = c.stdout.trim();
      // "too-late commit": an earlier commit of ours landed but its answer was lost with the connection.
      if (answer === 'too-late rollback') return waitRollback(hc, tx, switchFiredWhile('committing', opts), v.evidence);
      if (answer !== 'committed' && answer !== 'too-late commit') return waitRollback(hc, tx, `too late to commit (${answer})`);
      return committed(hc, dir, st.applyRc, v.evidence);
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      lastProblem = `no new connection: ${err.message}`;
      await sleep(1000, ctx.signal);
    }
  }
  if (ctx.signal.aborted) {
    const when = new Date(tx.fireAt).toISOString();
    return fail(
      verified
        ? `interrupted while committing: the host either committed or restores itself at ${when}; its tx ${dir} says which (decision)`
        : `interrupted before confirming: the host restores itself at ${when} (tx ${dir})`,
    );
  }
  return waitRollback(hc, tx, `not confirmed within ${opts.confirmTimeoutS}s: ${lastProblem}`, {}, verified);
}

/** Why a verified-or-verifying host was rolled back by its own switch, and what the operator can do. */
function switchFiredWhile(what: 'verifying' | 'committing', opts: RemediationOptions): string {
  return `the dead-man switch fired while fleet was ${what} (bridge_confirm_timeout ${opts.confirmTimeoutS}s was too short for this host's apply, reconnect and verification; raise it)`;
}

interface TxStatus {
  applyRc: string;
  decision: string;
  rollbackDone: boolean;
  rollbackRc: string;
  log: string;
}

function parseStatus(out: string): TxStatus {
  const [head = '', log = ''] = out.split(`${MARK} log`);
  const get = (k: string) =>
    /^(.*)$/m
      .exec(
        head
          .split('\n')
          .find((l) => l.startsWith(`${k}=`))
          ?.slice(k.length + 1) ?? '',
      )?.[1]
      ?.trim() ?? '';
  return {
    applyRc: get('apply_rc'),
    decision: get('decision'),
    rollbackDone: get('rollback_done') === '1',
    rollbackRc: get('rollback_rc'),
    log: log.trim(),
  };
}

/** The host restores itself (switch, or the rollback fleet started): wait until it answers again with the rollback done. */
async function waitRollback(
  hc: HostChange,
  tx: Tx,
  why: string,
  evidence: Record<string, unknown> = {},
  verified?: Record<string, unknown>,
): Promise<ModuleResult> {
  const { ctx, opts, phases } = hc;
  const t0 = Date.now();
  const giveUp = Math.max(tx.fireAt, Date.now()) + opts.rollbackGraceS * 1000;
  let last = 'not answering';
  while (Date.now() < giveUp && !ctx.signal.aborted) {
    try {
      await ctx.reconnect();
      const st = parseStatus((await ctx.exec(statusScript(tx.dir), { timeoutMs: 10_000 })).stdout);
      if (st.decision === 'commit' && verified) return committed(hc, tx.dir, st.applyRc, verified);
      if (st.rollbackDone) {
        phases['rollback'] = Date.now() - t0;
        return hc.result('rolled_back', {
          changed: true,
          failed: true,
          msg: `rolled_back: ${why}; the host restored its previous config and runtime (rollback rc ${st.rollbackRc}) and answers on a new connection`,
          lines: [`tx: ${tx.dir}`, `reason: ${why}`, 'host log:', st.log],
          data: { tx: tx.dir, reason: why, evidence, rollback_rc: st.rollbackRc, host_log: st.log },
        });
      }
      last = st.decision === 'rollback' ? 'rollback running' : `waiting for the switch (fires at ${new Date(tx.fireAt).toISOString()})`;
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      last = `not answering: ${err.message}`;
    }
    await sleep(1000, ctx.signal);
  }
  phases['rollback'] = Date.now() - t0;
  throw new UnreachableError(
    ctx.host,
    'timeout',
    `${why}; then no confirmed rollback within ${opts.rollbackGraceS}s after the switch time (${last}); tx ${shQuote(tx.dir)} on the host`,
  );
}
