/**
 * When to notify, per (schedule, host, check): a small state record advanced by each run. `after: N`
 * announces a failure only once it has lasted N runs in a row; `remind` repeats a still-open problem
 * at most that often; a recovery is announced only for a problem that was announced. A run that
 * could not observe the check (host unreachable or skipped, check not run) leaves the record as it
 * was, so an outage in between neither recovers nor restarts a failure. Host reachability is the
 * same machine keyed by the host alone (check id HOST_KEY), with the same `after` and `remind`.
 */
import { isFailing, type RunView } from './run-view.js';

export const HOST_KEY = '';

export interface AlertState {
  /** Consecutive observed failing runs. */
  readonly streak: number;
  /** The problem has been announced and not yet recovered. */
  readonly open: boolean;
  /** When it was last announced (first notice or reminder), ms since the epoch. */
  readonly notifiedAt: number | undefined;
}

export interface AlertPolicy {
  readonly after: number;
  readonly remindMs: number | undefined;
}

export type Observation = 'failing' | 'ok' | 'unknown';
export type AlertEvent = 'new' | 'reminder' | 'recovered';

export const INITIAL: AlertState = { streak: 0, open: false, notifiedAt: undefined };

/** One run's observation applied to one record: the next record and what (if anything) to announce. */
export function advance(
  state: AlertState,
  obs: Observation,
  now: number,
  policy: AlertPolicy,
): { state: AlertState; event: AlertEvent | undefined } {
  if (obs === 'unknown') return { state, event: undefined };
  if (obs === 'ok') return { state: INITIAL, event: state.open ? 'recovered' : undefined };
  const streak = state.streak + 1;
  if (!state.open) {
    if (streak >= policy.after) return { state: { streak, open: true, notifiedAt: now }, event: 'new' };
    return { state: { ...state, streak }, event: undefined };
  }
  if (policy.remindMs !== undefined && state.notifiedAt !== undefined && now - state.notifiedAt >= policy.remindMs)
    return { state: { streak, open: true, notifiedAt: now }, event: 'reminder' };
  return { state: { ...state, streak }, event: undefined };
}

export interface KeyedEvent {
  readonly host: string;
  /** HOST_KEY for the host's reachability. */
  readonly check: string;
  readonly event: AlertEvent;
  readonly status: string;
  readonly message?: string;
}

const key = (host: string, check: string) => `${host}\u0000${check}`;

/**
 * Advances every record the run observed (and every open record, which may need a reminder only
 * when observed again). Returns the new records (keys "host\0check"; records back at INITIAL are
 * dropped so the table does not grow with history) and the events, sorted by host and check.
 */
export function advanceRun(
  states: ReadonlyMap<string, AlertState>,
  run: RunView,
  now: number,
  policy: AlertPolicy,
): { states: Map<string, AlertState>; events: KeyedEvent[] } {
  const next = new Map(states);
  const events: KeyedEvent[] = [];
  const step = (host: string, check: string, obs: Observation, status: string, message?: string) => {
    const k = key(host, check);
    const r = advance(states.get(k) ?? INITIAL, obs, now, policy);
    if (r.state.streak === 0 && !r.state.open) next.delete(k);
    else next.set(k, r.state);
    if (r.event) events.push({ host, check, event: r.event, status, ...(message !== undefined ? { message } : {}) });
  };
  for (const [host, h] of run.hosts) {
    if (h.status === 'skipped') continue;
    const unreachable = h.status === 'unreachable';
    step(host, HOST_KEY, unreachable ? 'failing' : 'ok', h.status);
    if (unreachable) continue;
    for (const [check, c] of h.checks)
      step(host, check, c.status === 'skipped' ? 'unknown' : isFailing(c.status) ? 'failing' : 'ok', c.status, c.message);
  }
  events.sort((a, b) => a.host.localeCompare(b.host) || a.check.localeCompare(b.check));
  return { states: next, events };
}

export function splitKey(k: string): { host: string; check: string } {
  const i = k.indexOf('\u0000');
  return { host: k.slice(0, i), check: k.slice(i + 1) };
}
