/**
 * `bridge_apply`: brings one bridge to its declared state with commit-confirmed safety (backup,
 * dead-man switch on the host, detached apply, verification over a NEW connection, commit; the host
 * restores itself otherwise). The flow lives in flow.ts; this file plugs it into playbooks as a task module. Bridge parameters are the
 * bridge vars (src/bridge BRIDGE_VARS: bridge, uplink, address, gateway, mtu, stp…) taken from the
 * task's variables; any of them may be given as an argument instead. Changes hosts only with --fix.
 */
import { BRIDGE_VARS, validateBridgeParams } from '../bridge/index.js';
import { PlaybookError } from '../core/errors.js';
import { remediateBridge, type RemediationOptions } from './flow.js';
import { checkArgs, int, str, type ArgType } from '../modules/args.js';
import type { TaskModule } from '../modules/types.js';

const OPTION_TYPES = {
  network_stack: 'string',
  /** Seconds before the host restores itself unless confirmed (var bridge_confirm_timeout). */
  confirm_timeout: 'int',
  /** Transaction directory on the host (var bridge_tx_dir). */
  tx_dir: 'string',
  /** auto | runtime | reload | both (var bridge_apply_method). */
  apply: 'string',
  settle_ms: 'int',
  rollback_grace: 'int',
  /** The operator's own check on the new connection before commit; non-zero = roll back (var bridge_verify_command). */
  verify_command: 'string',
} as const satisfies Record<string, ArgType>;

const SPEC = { types: { ...Object.fromEntries(BRIDGE_VARS.map((k) => [k, 'any' as const])), ...OPTION_TYPES } };
const METHODS = ['auto', 'runtime', 'reload', 'both'] as const;

export const DEFAULT_CONFIRM_TIMEOUT_S = 180;
export const DEFAULT_TX_DIR = '/var/lib/fleet/tx';

export const bridgeApplyModule: TaskModule = {
  name: 'bridge_apply',
  parse(raw, at) {
    const args = checkArgs('bridge_apply', raw ?? {}, SPEC, at);
    const m = args['apply'];
    if (typeof m === 'string' && !m.includes('{{') && !(METHODS as readonly string[]).includes(m)) {
      throw new PlaybookError(`argument 'apply' of module bridge_apply must be one of ${METHODS.join(', ')}`, at.keyLoc('apply'));
    }
    return args;
  },
  mutates: () => true,
  preflight(args, view, host) {
    const { vars } = inputs(args, view);
    validateBridgeParams(vars, host);
  },
  async run(ctx, args) {
    const { vars, opts } = inputs(args, ctx.engine.resolvedView(ctx.vars));
    return remediateBridge(ctx, vars, opts);
  },
};

/** The declared state and the safety options, from the task's args over the host's variables. Throws on bad options. */
function inputs(args: Record<string, unknown>, view: Record<string, unknown>): { vars: Record<string, unknown>; opts: RemediationOptions } {
  const pick = (argKey: string, varKey: string = argKey): unknown => (args[argKey] !== undefined ? args[argKey] : view[varKey]);
  const vars: Record<string, unknown> = {};
  for (const k of [...BRIDGE_VARS, 'network_stack', 'ansible_host', 'fleet_batch']) {
    const v = pick(k);
    if (v !== undefined) vars[k] = v;
  }
  const optInt = (argKey: string, varKey: string, dflt: number) => int({ v: pick(argKey, varKey) }, 'v') ?? dflt;
  const method = str({ v: pick('apply', 'bridge_apply_method') }, 'v') ?? 'auto';
  if (!(METHODS as readonly string[]).includes(method))
    throw new Error(`apply must be one of ${METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  const opts: RemediationOptions = {
    confirmTimeoutS: optInt('confirm_timeout', 'bridge_confirm_timeout', DEFAULT_CONFIRM_TIMEOUT_S),
    txDir: str({ v: pick('tx_dir', 'bridge_tx_dir') }, 'v') ?? DEFAULT_TX_DIR,
    applyMethod: method as RemediationOptions['applyMethod'],
    settleMs: optInt('settle_ms', 'bridge_settle_ms', 1000),
    rollbackGraceS: optInt('rollback_grace', 'bridge_rollback_grace', 60),
    verifyCommand: str({ v: pick('verify_command', 'bridge_verify_command') }, 'v') ?? null,
  };
  if (opts.confirmTimeoutS < 5) throw new Error('confirm_timeout must be at least 5 seconds');
  if (!opts.txDir.startsWith('/')) throw new Error('tx_dir must be an absolute path');
  return { vars, opts };
}
