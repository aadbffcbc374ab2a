/**
 * The check model: a check is a pure function of HostFacts (+ vars). defineCheck wraps the rule so
 * that a missing fact becomes `error`/`skipped` with its reason, a bug becomes `error` (never a
 * crash of the run), messages stay one line, and failing results carry the runtime fix plan as text.
 */
import type { CheckResult, CheckStatus, FleetCheckResult, Severity } from '../core/check.js';
import type { HostFacts } from '../facts/types.js';
import { planFix } from './fixes.js';
import { FactUnavailable } from './need.js';
import { resolveVars, type CheckVars, type ResolvedVars } from './vars.js';

/** What a rule decided; defineCheck turns it into a CheckResult. */
export interface Finding {
  readonly status: CheckStatus;
  readonly message: string;
  /** Overrides the check's default severity (e.g. critical vs high by who is affected). */
  readonly severity?: Severity;
  readonly evidence?: unknown;
  /** Fix text when there is no runtime fix (or to replace the generated one). */
  readonly fix?: string;
  /** Set false when this particular failure cannot be repaired by the check's runtime fix. */
  readonly fixable?: boolean;
}

export interface CheckSpec {
  readonly id: string;
  /** bridge, nic, netfilter, sysctl, arp, route, libvirt, mac, kernel, config. */
  readonly group: string;
  readonly title: string;
  /** Severity of a failure unless the finding overrides it (doc §1). */
  readonly severity: Severity;
  readonly fixId?: string;
  evaluate(facts: HostFacts, vars: ResolvedVars): Finding;
}

export interface CheckDef {
  readonly id: string;
  readonly group: string;
  readonly title: string;
  readonly severity: Severity;
  readonly fixId?: string;
  run(facts: HostFacts, vars?: CheckVars): CheckResult;
}

export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Builds a CheckDef from a rule. */
export function defineCheck(spec: CheckSpec): CheckDef {
  return {
    id: spec.id,
    group: spec.group,
    title: spec.title,
    severity: spec.severity,
    ...(spec.fixId ? { fixId: spec.fixId } : {}),
    run(facts: HostFacts, vars: CheckVars = {}): CheckResult {
      let f: Finding;
      try {
        f = spec.evaluate(facts, resolveVars(vars));
      } catch (err) {
        if (err instanceof FactUnavailable) {
          const skip = err.cause_ === 'not-installed' || err.cause_ === 'unsupported';
          f = { status: skip ? 'skipped' : 'error', message: `cannot evaluate: ${err.message}` };
        } else {
          f = { status: 'error', message: `check failed unexpectedly: ${err instanceof Error ? err.message : String(err)}` };
        }
      }
      return toResult(spec, f, facts, vars);
    },
  };
}

function toResult(spec: CheckSpec, f: Finding, facts: HostFacts, vars: CheckVars): CheckResult {
  const base = {
    id: spec.id,
    status: f.status,
    severity: f.severity ?? spec.severity,
    message: oneLine(f.message),
    ...(f.evidence !== undefined ? { evidence: f.evidence } : {}),
  };
  if (f.status !== 'fail' && f.status !== 'warn') return base;
  let fix = f.fix;
  let fixId: string | undefined;
  if (spec.fixId && f.fixable !== false) {
    try {
      const plan = planFix(spec.fixId, facts, vars);
      if (plan.commands.length > 0) {
        fixId = spec.fixId;
        // A human pasting a detached plan into an SSH session must not be cut off half-way.
        fix ??= plan.detached
          ? [
              `# ${plan.description}`,
              `# run detached from your session, e.g. setsid sh -c '…' </dev/null >/tmp/fix.log 2>&1 &`,
              ...plan.commands,
            ].join('\n')
          : [`# ${plan.description}`, ...plan.commands].join('\n');
      }
    } catch {
      // No plan from these facts (e.g. gateway unknown): keep the text fix, offer no runtime fix.
    }
  }
  return { ...base, ...(fix ? { fix } : {}), ...(fixId ? { fixId } : {}) };
}

/** A fleet-wide rule over every host's facts. */
export interface FleetCheckDef {
  readonly id: string;
  readonly group: string;
  readonly title: string;
  readonly severity: Severity;
  /**
   * The fact sections it reads. A run keeps only these of a host's facts once the host is done (the
   * full facts of 10,000 hosts would not fit), so run() must read nothing else.
   */
  readonly uses: readonly (keyof HostFacts)[];
  run(all: ReadonlyMap<string, HostFacts>, varsByHost?: ReadonlyMap<string, CheckVars>): FleetCheckResult;
}

export function defineFleetCheck(def: FleetCheckDef): FleetCheckDef {
  return {
    ...def,
    run(all, varsByHost = new Map()) {
      try {
        const r = def.run(all, varsByHost);
        return { ...r, message: oneLine(r.message) };
      } catch (err) {
        return {
          id: def.id,
          status: 'error',
          severity: def.severity,
          hosts: [...all.keys()],
          message: `check failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    },
  };
}

/** Shorthands for rules. */
export const pass = (message: string, evidence?: unknown): Finding => ({ status: 'pass', message, evidence });
export const skipped = (message: string, evidence?: unknown): Finding => ({ status: 'skipped', message, evidence });
