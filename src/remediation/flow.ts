/**
 * Commit-confirmed bridge remediation on one host (issue 4 §2, kvm-network-checks.md §4.2):
 *   probe (read-only) → 1 backup → 2 arm the dead-man switch → 3 apply, detached →
 *   4 NEW connection, verify → 5 commit (disarm).
 * If verification fails, fleet starts the rollback itself; if the host does not answer before the
 * switch fires, the host restores itself and fleet waits for it to come back. In a dry run (read-only
 * or --check) only the probe runs: the diff, the runtime commands and the lockout warning are reported.
 */
import { createTwoFilesPatch } from 'diff';
import { detectStack, renderBridgeConfig, validateBridgeParams, type BridgeParams, type RenderedFile } from '../bridge/index.js';
import type { ModuleContext, ModuleResult } from '../modules/types.js';
import { shQuote } from '../transport/quote.js';
import { UnreachableError } from '../transport/types.js';
import { planApply } from './apply_plan.js';
import { applySh, armScript, backupScript, commitScript, probeScript, rollbackNowScript, startApplyScript, statusScript } from './host_scripts.js';
import { keepUnmanagedStanzas } from './interfaces_keep.js';
import { lockoutWarning } from './lockout.js';
import { parseProbe, type Probe } from './probe.js';
import { bridgesToRecreate, restoreBatch } from './restore_plan.js';
import { verifyHost } from './verify.js';

export interface RemediationOptions {
  /** Seconds until the dead-man switch restores the host unless confirmed. */
  readonly confirmTimeoutS: number;
  /** Where transactions live on the host. */
  readonly txDir: string;
  /** runtime: ip batch only; reload: the stack's own apply commands only; both: batch then reload. */
  readonly applyMethod: 'runtime' | 'reload' | 'both' | 'auto';
  /** Pause after starting the apply before the first new connection. */
  readonly settleMs: number;
  /** How long after the switch fired fleet waits for the restored host to answer again. */
  readonly rollbackGraceS: number;
}

export type Outcome = 'ok' | 'applied' | 'rolled_back' | 'failed' | 'would-apply';

/** Per-phase wall times in ms (probe, backup, arm, apply, reconnect, verify, commit, rollback). */
type Phases = Record<string, number>;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Times one phase into `phases` (accumulating, a phase may run several times). */
async function timed<T>(phases: Phases, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    phases[name] = (phases[name] ?? 0) + (Date.now() - t0);
  }
}

interface Prepared {
  readonly params: BridgeParams;
  readonly probe: Probe;
  readonly stack: string;
  readonly stackReason: string;
  readonly files: RenderedFile[];
  readonly changedFiles: RenderedFile[];
  readonly diff: string;
  readonly batch: readonly string[];
  readonly changes: readonly string[];
  readonly preWrite: readonly string[];
  readonly reload: readonly string[];
  readonly warning: string | undefined;
  readonly safety: string;
}

const WHOLE_FILE = '/etc/network/interfaces';

async function prepare(ctx: ModuleContext, vars: Record<string, unknown>, opts: RemediationOptions, phases: Phases): Promise<Prepared> {
  const params = validateBridgeParams(vars, ctx.host);
  const probe = await timed(phases, 'probe', async () => {
    const r = await ctx.exec(probeScript([]), { timeoutMs: 30_000 });
    if (r.rc !== 0 && !r.stdout.includes('@@fleet@@ end')) throw new Error(`host probe failed (rc ${r.rc}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
    return parseProbe(r.stdout, 0);
  });
  const detected = detectStack(probe.stackFacts, ctx.host, vars['network_stack']);
  const config = renderBridgeConfig(detected.stack, params);
  const current = await timed(phases, 'probe', async () => {
    const r = await ctx.exec(probeScript(config.files.map((f) => f.path)), { timeoutMs: 30_000 });
    return parseProbe(r.stdout, config.files.length).files;
  });
  const files = config.files.map((f, i) => {
    const old = current[i]?.content;
    // Whole-file stacks: keep the stanzas of interfaces this bridge does not manage (interfaces_keep.ts).
    if (f.path === WHOLE_FILE && old) return { ...f, content: keepUnmanagedStanzas(f.content, old, [params.bridge, params.uplink]) };
    return f;
  });
  const changedFiles = files.filter((f, i) => current[i]?.content !== f.content || current[i]?.mode !== f.mode);
  const diff = files
    .map((f, i) => {
      const c = current[i];
      if (c?.content === f.content && c.mode === f.mode) return '';
      const modeNote = c?.mode !== null && c?.mode !== undefined && c.mode !== f.mode ? `mode ${c.mode.toString(8)} → ${f.mode.toString(8)}\n` : '';
      return modeNote + createTwoFilesPatch(f.path, f.path, c?.content ?? '', f.content, c?.content === null ? '(absent on host)' : 'on host', 'declared');
    })
    .filter(Boolean)
    .join('');
  const plan = planApply(probe.runtime, params);
  const method = opts.applyMethod === 'auto' ? (detected.stack.startsWith('ifupdown') && detected.stack !== 'ifupdown2' ? 'runtime' : 'both') : opts.applyMethod;
  const useBatch = method !== 'reload';
  const useReload = method !== 'runtime';
  const safety =
    `dead-man switch (${probe.switchMode === 'systemd' ? 'systemd-run timer' : 'detached setsid process'}) restores files and runtime after ${opts.confirmTimeoutS}s ` +
    'unless fleet confirms over a NEW SSH connection';
  const connectedTo = String(vars['ansible_host'] ?? ctx.host);
  const runtimeChange = useBatch ? plan.batch : [];
  const warning = lockoutWarning(probe.runtime, params, useBatch ? plan.batch : useReload && changedFiles.length ? [params.bridge, params.uplink] : [], connectedTo, safety);
  return {
    params,
    probe,
    stack: detected.stack,
    stackReason: detected.reason,
    files,
    changedFiles,
    diff,
    batch: runtimeChange,
    changes: plan.changes,
    preWrite: useReload && changedFiles.length ? config.preWrite : [],
    reload: useReload && changedFiles.length ? config.reload : [],
    warning,
    safety,
  };
}

function summary(p: Prepared, outcome: Outcome, batchNo: unknown, phases: Phases, extra: string[] = []): string {
  const lines = [
    `outcome: ${outcome}`,
    `batch: ${batchNo ?? '-'}`,
    `stack: ${p.stack} (${p.stackReason})`,
    `files: ${p.changedFiles.length ? p.changedFiles.map((f) => f.path).join(', ') : 'unchanged'}`,
    `runtime commands (ip -force -batch):${p.batch.length ? '' : ' none'}`,
    ...p.batch.map((c) => `  ip ${c}`),
    ...(p.reload.length ? ['reload:', ...p.preWrite.map((c) => `  ${c}`), ...p.reload.map((c) => `  ${c}`)] : []),
    ...(p.warning ? [`WARNING: ${p.warning}`] : []),
    `phases: ${Object.entries(phases).map(([k, v]) => `${k}=${v}ms`).join(' ')}`,
    ...extra,
  ];
  return lines.join('\n');
}

/** Runs (or in a dry run describes) the remediation of one host's bridge. */
export async function remediateBridge(ctx: ModuleContext, vars: Record<string, unknown>, opts: RemediationOptions): Promise<ModuleResult> {
  const phases: Phases = {};
  const batchNo = vars['fleet_batch'];
  const p = await prepare(ctx, vars, opts, phases);
  const data = (outcome: Outcome, extra: Record<string, unknown> = {}) => ({
    outcome,
    batch: batchNo ?? null,
    stack: p.stack,
    changes: p.changes,
    commands: p.batch,
    files: p.changedFiles.map((f) => f.path),
    phases,
    ...(p.warning ? { warning: p.warning } : {}),
    ...extra,
  });
  const diff = p.diff ? { diff: p.diff } : {};
  if (p.batch.length === 0 && p.changedFiles.length === 0) {
    return { changed: false, msg: `ok: ${p.params.bridge} already in the declared state`, stdout: summary(p, 'ok', batchNo, phases), data: data('ok') };
  }
  if (ctx.dryRun) {
    const what = [p.changedFiles.length ? `${p.changedFiles.length} file(s)` : '', p.batch.length ? `${p.batch.length} runtime command(s)` : ''].filter(Boolean).join(' and ');
    return {
      changed: true,
      msg: `would apply ${what} to ${p.params.bridge}${p.warning ? ` — ${p.warning}` : ''}`,
      stdout: summary(p, 'would-apply', batchNo, phases),
      ...diff,
      data: data('would-apply'),
    };
  }
  return applyConfirmed(ctx, p, opts, phases, batchNo, data, diff);
}

async function applyConfirmed(
  ctx: ModuleContext,
  p: Prepared,
  opts: RemediationOptions,
  phases: Phases,
  batchNo: unknown,
  data: (o: Outcome, extra?: Record<string, unknown>) => Record<string, unknown>,
  diff: { diff?: string },
): Promise<ModuleResult> {
  const id = `${ctx.host.replace(/[^A-Za-z0-9_.-]/g, '_')}-${Date.now()}`;
  const tx = `${opts.txDir.replace(/\/+$/, '')}/${id}`;
  const touched = [p.params.bridge, p.params.uplink, ...p.probe.runtime.addrs.filter((a) => a.local === p.params.address?.split('/')[0]).map((a) => a.dev)];
  const restore = restoreBatch(p.probe.runtime, { createdBridge: p.params.bridge, touched });
  const fail = (msg: string, extra: Record<string, unknown> = {}): ModuleResult => ({
    changed: false,
    failed: true,
    msg,
    stdout: summary(p, 'failed', batchNo, phases, [`tx: ${tx}`]),
    ...diff,
    data: data('failed', { tx, ...extra }),
  });

  // 1. Backup: on the host, before anything changes.
  const backed = await timed(phases, 'backup', () => ctx.exec(backupScript(tx, p.files, restore, bridgesToRecreate(p.probe.runtime)), { timeoutMs: 30_000 }));
  if (backed.rc !== 0) return fail(`backup failed (rc ${backed.rc}): ${backed.stderr.trim()}; nothing changed`);
  // 2. Arm the switch; nothing is applied unless it is verifiably armed.
  const armedAt = Date.now();
  const armed = await timed(phases, 'arm', () => ctx.exec(armScript(tx, opts.confirmTimeoutS, p.probe.switchMode, `fleet-rb-${id}`), { timeoutMs: 30_000 }));
  if (armed.rc !== 0 || !armed.stdout.includes('armed')) return fail(`could not arm the dead-man switch (rc ${armed.rc}): ${armed.stderr.trim()}; nothing changed`);
  const fireAt = armedAt + opts.confirmTimeoutS * 1000;
  // 3. Apply, detached: the old connection may die under it.
  const applyText = applySh(p.files, { batch: p.batch.length > 0, preWrite: p.preWrite, reload: p.reload });
  const started = await timed(phases, 'apply', async () => {
    try {
      return await ctx.exec(startApplyScript(tx, p.files, p.batch, applyText), { timeoutMs: 30_000 });
    } catch (err) {
      // The upload may race the change it starts; the status poll below tells what happened.
      if (err instanceof UnreachableError) return undefined;
      throw err;
    }
  });
  if (started && started.rc !== 0) {
    await ctx.exec(rollbackNowScript(tx)).catch(() => undefined);
    return waitRollback(ctx, p, opts, phases, batchNo, data, diff, tx, fireAt, `apply could not start (rc ${started.rc}): ${started.stderr.trim()}`);
  }

  // 4. New connections only, until the switch is about to fire (keep a margin to commit).
  const margin = Math.min(5000, Math.max(1000, opts.confirmTimeoutS * 200));
  const verifyBy = fireAt - margin;
  await timed(phases, 'settle', () => sleep(opts.settleMs, ctx.signal));
  let lastProblem = 'host did not answer on a new connection';
  while (Date.now() < verifyBy && !ctx.signal.aborted) {
    try {
      await timed(phases, 'reconnect', () => ctx.reconnect());
      const st = parseStatus((await ctx.exec(statusScript(tx), { timeoutMs: 10_000 })).stdout);
      if (st.decision === 'rollback') return waitRollback(ctx, p, opts, phases, batchNo, data, diff, tx, fireAt, 'the dead-man switch fired before fleet could confirm');
      if (st.applyRc === '') {
        lastProblem = 'apply still running';
        await sleep(500, ctx.signal);
        continue;
      }
      const v = await timed(phases, 'verify', () => verifyHost(ctx, p.params, p.probe.runtime, p.probe.has));
      if (v.problems.length > 0) {
        // Connected but wrong: roll back now rather than wait for the timer.
        await ctx.exec(rollbackNowScript(tx), { timeoutMs: 10_000 }).catch(() => undefined);
        return waitRollback(ctx, p, opts, phases, batchNo, data, diff, tx, fireAt, `verification failed: ${v.problems.join('; ')}`, v.evidence);
      }
      // 5. Commit.
      const c = await timed(phases, 'commit', () => ctx.exec(commitScript(tx), { timeoutMs: 10_000 }));
      if (c.stdout.trim() !== 'committed') return waitRollback(ctx, p, opts, phases, batchNo, data, diff, tx, fireAt, `too late to commit (${c.stdout.trim()})`);
      const rcNote = st.applyRc === '0' ? '' : ` (apply rc ${st.applyRc}: some batch lines failed, but the result verified)`;
      return {
        changed: true,
        msg: `applied: ${p.params.bridge} in the declared state, verified over a new connection and committed${rcNote}`,
        stdout: summary(p, 'applied', batchNo, phases, [`tx: ${tx}`, `verified: ${JSON.stringify(v.evidence)}`]),
        ...diff,
        data: data('applied', { tx, evidence: v.evidence }),
      };
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      lastProblem = `no new connection: ${err.message}`;
      await sleep(1000, ctx.signal);
    }
  }
  if (ctx.signal.aborted) {
    return fail(`interrupted before confirming: the host restores itself at ${new Date(fireAt).toISOString()} (tx ${tx})`);
  }
  return waitRollback(ctx, p, opts, phases, batchNo, data, diff, tx, fireAt, `not confirmed within ${opts.confirmTimeoutS}s: ${lastProblem}`);
}

interface TxStatus {
  applyRc: string;
  decision: string;
  rollbackDone: boolean;
  rollbackRc: string;
  log: string;
}

function parseStatus(out: string): TxStatus {
  const [head = '', log = ''] = out.split('@@fleet@@ log');
  const get = (k: string) => /^(.*)$/m.exec(head.split('\n').find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1) ?? '')?.[1]?.trim() ?? '';
  return { applyRc: get('apply_rc'), decision: get('decision'), rollbackDone: get('rollback_done') === '1', rollbackRc: get('rollback_rc'), log: log.trim() };
}

/** The host restores itself (switch, or the rollback fleet started): wait until it answers again with the rollback done. */
async function waitRollback(
  ctx: ModuleContext,
  p: Prepared,
  opts: RemediationOptions,
  phases: Phases,
  batchNo: unknown,
  data: (o: Outcome, extra?: Record<string, unknown>) => Record<string, unknown>,
  diff: { diff?: string },
  tx: string,
  fireAt: number,
  why: string,
  evidence: Record<string, unknown> = {},
): Promise<ModuleResult> {
  const t0 = Date.now();
  const giveUp = Math.max(fireAt, Date.now()) + opts.rollbackGraceS * 1000;
  let last = 'not answering';
  while (Date.now() < giveUp && !ctx.signal.aborted) {
    try {
      await ctx.reconnect();
      const st = parseStatus((await ctx.exec(statusScript(tx), { timeoutMs: 10_000 })).stdout);
      if (st.rollbackDone) {
        phases['rollback'] = Date.now() - t0;
        return {
          changed: true,
          failed: true,
          msg: `rolled_back: ${why}; the host restored its previous config and runtime (rollback rc ${st.rollbackRc}) and answers on a new connection`,
          stdout: summary(p, 'rolled_back', batchNo, phases, [`tx: ${tx}`, `reason: ${why}`, 'host log:', st.log]),
          ...diff,
          data: data('rolled_back', { tx, reason: why, evidence, rollback_rc: st.rollbackRc, host_log: st.log }),
        };
      }
      last = st.decision === 'rollback' ? 'rollback running' : `waiting for the switch (fires at ${new Date(fireAt).toISOString()})`;
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      last = `not answering: ${err.message}`;
    }
    await sleep(1000, ctx.signal);
  }
  phases['rollback'] = Date.now() - t0;
  throw new UnreachableError(ctx.host, 'timeout', `${why}; then no confirmed rollback within ${opts.rollbackGraceS}s after the switch time (${last}); tx ${shQuote(tx)} on the host`);
}
