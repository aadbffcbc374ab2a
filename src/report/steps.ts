/**
 * "What fleet did" on each host, for the report's drill-down: steps that changed the host (a fix, a
 * bridge remediation with its diff) or failed on their own (not the steps that merely recorded a
 * failing check: those are the check list). Capped, since a report must stay small for 5,000 hosts;
 * `fleet show RUN --host H` has everything.
 */
import type { CheckRow, StepRow } from '../store/types.js';

/** Step output beyond this many characters is cut (a bridge change's summary and diff fit). */
export const STEP_OUTPUT_MAX = 3000;
/** At most this many steps per host (the first ones, in run order). */
export const STEPS_PER_HOST_MAX = 20;

export interface ReportStep {
  readonly name: string;
  readonly status: StepRow['status'];
  readonly message: string | null;
  /** stdout, then stderr, cut at STEP_OUTPUT_MAX; '' when none. */
  readonly output: string;
}

/** Host → its steps worth showing, in run order. */
export function stepsWorthShowing(steps: readonly StepRow[], checks: readonly CheckRow[]): Map<string, ReportStep[]> {
  const checkSteps = new Set(checks.map((c) => `${c.host}\0${c.checkId}`));
  const out = new Map<string, ReportStep[]>();
  for (const s of steps) {
    const failedItself = (s.status === 'failed' || s.status === 'unreachable') && !checkSteps.has(`${s.host}\0${s.stepId}`);
    if (!s.changed && !failedItself) continue;
    const list = out.get(s.host) ?? [];
    if (list.length >= STEPS_PER_HOST_MAX) continue;
    list.push({
      name: s.name,
      status: s.status,
      message: s.message ?? null,
      output: cut([s.stdout, s.stderr].filter((t) => t.trim()).join('\n')),
    });
    out.set(s.host, list);
  }
  return out;
}

function cut(text: string): string {
  const t = text.replace(/\n+$/, '');
  return t.length > STEP_OUTPUT_MAX
    ? `${t.slice(0, STEP_OUTPUT_MAX)}\n… ${t.length - STEP_OUTPUT_MAX} more characters: fleet show has all of it`
    : t;
}
