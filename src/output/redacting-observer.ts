/**
 * Terminal observers (progress, diffs, the --json collector) see the run's events before the store
 * masks them, and a host's reason, a step's output or a check's message may echo a secret: this
 * wrapper masks every string in every event first (plain objects, arrays and maps, at any depth).
 */
import type { CheckResult } from '../core/check.js';
import type { Redactor } from '../core/redact.js';
import type { RunObserver } from '../engine/events.js';

function redactDeep(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, redactDeep(v, redact)]));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]));
  }
  return value;
}

/**
 * A check's evidence is for the store (and `fleet show`), never for the terminal: the copy a terminal
 * observer gets has none, so thousands of hosts' evidence is not deep-copied just to be dropped.
 */
function withoutEvidence(key: string, args: unknown[]): unknown[] {
  if (key !== 'onCheck') return args;
  const [host, check, ...rest] = args as [unknown, CheckResult, ...unknown[]];
  const { evidence: _evidence, ...verdict } = check;
  return [host, verdict, ...rest];
}

export function redactingObserver(inner: RunObserver, redact: Redactor): RunObserver {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(inner) ?? {})).concat(Object.keys(inner))) {
    const fn = (inner as unknown as Record<string, unknown>)[key];
    if (!key.startsWith('on') || typeof fn !== 'function') continue;
    out[key] = (...args: unknown[]) =>
      (fn as (...a: unknown[]) => unknown).apply(
        inner,
        withoutEvidence(key, args).map((a) => redactDeep(a, redact)),
      );
  }
  return out as RunObserver;
}
