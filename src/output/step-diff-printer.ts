/**
 * `--diff` output for `fleet run`: every step that changed (or would change) prints its output —
 * for bridge_apply the summary (runtime commands, lockout WARNING, phase timings) and the unified
 * diffs. Host data is escaped before it reaches the terminal.
 */
import type { StepResult } from '../core/result.js';
import type { RunObserver } from '../engine/events.js';
import { terminalSafe } from './terminal-safe.js';

export class StepDiffPrinter implements RunObserver {
  constructor(private readonly out: { write(s: string): unknown }) {}

  onStep(host: string, step: StepResult): void {
    if (!step.changed || !step.stdout.trim()) return;
    const head = `--- ${host}: ${step.name}${step.message ? ` — ${step.message}` : ''}`;
    this.out.write(`${terminalSafe(head)}\n${terminalSafe(step.stdout.replace(/\n*$/, ''))}\n\n`);
  }
}
