import type { StepResult, StepStatus } from '../core/result.js';

/** A step that ran no command (it failed before running, was skipped, or found the host gone): no rc, no output. */
export function noteStep(
  stepId: string,
  name: string,
  status: StepStatus,
  startedAt: number,
  message: string | undefined,
  durationMs = Date.now() - startedAt,
): StepResult {
  return {
    stepId,
    name,
    status,
    changed: false,
    rc: null,
    stdout: '',
    stderr: '',
    startedAt,
    durationMs,
    ...(message === undefined ? {} : { message }),
  };
}
