/**
 * The read-only half of a bridge remediation: probe the host, detect its stack, render
 * the declared config, diff it against the files on the host, plan the runtime batch and judge the
 * lockout risk. What `--check --diff` shows is exactly this; the apply (flow.ts) starts from it.
 */
import { createTwoFilesPatch } from 'diff';
import { detectStack, renderBridgeConfig, validateBridgeParams, type BridgeParams, type RenderedFile } from '../bridge/index.js';
import type { ModuleContext } from '../modules/types.js';
import { planApply } from './apply-plan.js';
import { probeScript } from './host-scripts.js';
import { keepUnmanagedStanzas } from './interfaces-keep.js';
import { lockoutWarning } from './lockout.js';
import { parseProbe, type Probe } from './probe.js';
import { linkByName, type RuntimeSnapshot } from './runtime.js';

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
  /** The operator's own check, run on the new connection before commit: non-zero exit = roll back. */
  readonly verifyCommand: string | null;
}

export type Outcome = 'ok' | 'applied' | 'rolled_back' | 'failed' | 'would-apply';

/** Per-phase wall times in ms (probe, backup, arm, apply, reconnect, verify, commit, rollback). */
export type Phases = Record<string, number>;

/** Times one phase into `phases` (accumulating, a phase may run several times). */
export async function timed<T>(phases: Phases, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    phases[name] = (phases[name] ?? 0) + (Date.now() - t0);
  }
}

export interface Prepared {
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

/**
 * Without a declared MAC (bridge_mac or uplink_mac), the config pins the MAC in use: the bridge's own
 * when the uplink is already its port; otherwise the uplink's, which is what the kernel gives a
 * bridge when that port joins (and what planApply gives a bridge it creates). A remediation never
 * changes a MAC nobody asked to change, and a reboot cannot either (kvm-network-checks.md check 10:
 * DHCP reservations, ARP caches and port security key on it).
 */
export function withMacInUse(p: BridgeParams, s: RuntimeSnapshot): BridgeParams {
  if (p.bridge_mac) return p;
  const bridge = linkByName(s, p.bridge);
  const uplink = linkByName(s, p.uplink);
  const inUse = bridge && uplink?.master === p.bridge ? bridge.mac : (uplink?.mac ?? bridge?.mac);
  const mac = (inUse ?? '').toLowerCase();
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) ? { ...p, bridge_mac: mac } : p;
}

export async function prepare(
  ctx: ModuleContext,
  vars: Record<string, unknown>,
  opts: RemediationOptions,
  phases: Phases,
): Promise<Prepared> {
  const declared = validateBridgeParams(vars, ctx.host);
  const probe = await timed(phases, 'probe', async () => {
    const r = await ctx.exec(probeScript([]), { timeoutMs: 30_000 });
    if (r.rc !== 0 && !r.stdout.includes('@@fleet@@ end'))
      throw new Error(`host probe failed (rc ${r.rc}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
    return parseProbe(r.stdout, 0);
  });
  const params = withMacInUse(declared, probe.runtime);
  const detected = detectStack(probe.stackFacts, ctx.host, vars['network_stack']);
  const config = renderBridgeConfig(detected.stack, params);
  const current = await timed(phases, 'probe', async () => {
    const r = await ctx.exec(probeScript(config.files.map((f) => f.path)), { timeoutMs: 30_000 });
    return parseProbe(r.stdout, config.files.length).files;
  });
  const files = config.files.map((f, i) => {
    const old = current[i]?.content;
    // Whole-file stacks: keep the stanzas of interfaces this bridge does not manage (interfaces-keep.ts).
    if (f.path === WHOLE_FILE && old) return { ...f, content: keepUnmanagedStanzas(f.content, old, [params.bridge, params.uplink]) };
    return f;
  });
  const changedFiles = files.filter((f, i) => current[i]?.content !== f.content || current[i]?.mode !== f.mode);
  const diff = files
    .map((f, i) => {
      const c = current[i];
      if (c?.content === f.content && c.mode === f.mode) return '';
      const modeNote =
        c?.mode !== null && c?.mode !== undefined && c.mode !== f.mode ? `mode ${c.mode.toString(8)} → ${f.mode.toString(8)}\n` : '';
      return (
        modeNote +
        createTwoFilesPatch(f.path, f.path, c?.content ?? '', f.content, c?.content === null ? '(absent on host)' : 'on host', 'declared')
      );
    })
    .filter(Boolean)
    .join('');
  const plan = planApply(probe.runtime, params);
  const method =
    opts.applyMethod === 'auto'
      ? detected.stack.startsWith('ifupdown') && detected.stack !== 'ifupdown2'
        ? 'runtime'
        : 'both'
      : opts.applyMethod;
  const useBatch = method !== 'reload';
  const useReload = method !== 'runtime';
  const safety =
    `dead-man switch (${probe.switchMode === 'systemd' ? 'systemd-run timer' : 'detached setsid process'}) restores files and runtime after ${opts.confirmTimeoutS}s ` +
    'unless fleet confirms over a NEW SSH connection';
  const connectedTo = String(vars['ansible_host'] ?? ctx.host);
  const runtimeChange = useBatch ? plan.batch : [];
  const warning = lockoutWarning(
    probe.runtime,
    params,
    useBatch ? plan.batch : useReload && changedFiles.length ? [params.bridge, params.uplink] : [],
    connectedTo,
    safety,
  );
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

export function summary(p: Prepared, outcome: Outcome, batchNo: unknown, phases: Phases, extra: string[] = []): string {
  const lines = [
    `outcome: ${outcome}`,
    `batch: ${batchNo ?? '-'}`,
    `stack: ${p.stack} (${p.stackReason})`,
    `files: ${p.changedFiles.length ? p.changedFiles.map((f) => f.path).join(', ') : 'unchanged'}`,
    `runtime commands (ip -force -batch):${p.batch.length ? '' : ' none'}`,
    ...p.batch.map((c) => `  ip ${c}`),
    ...(p.reload.length ? ['reload:', ...p.preWrite.map((c) => `  ${c}`), ...p.reload.map((c) => `  ${c}`)] : []),
    ...(p.warning ? [`WARNING: ${p.warning}`] : []),
    `phases: ${Object.entries(phases)
      .map(([k, v]) => `${k}=${v}ms`)
      .join(' ')}`,
    ...extra,
  ];
  return lines.join('\n');
}
