/** Test-only RunStore that keeps everything in arrays, so tests can look at what was recorded. */
import type { CheckResult, FleetCheckResult } from '../../../src/core/check.js';
import type { RunStatus, StepResult } from '../../../src/core/result.js';
import type { CheckRow, HostRow, NewRun, RunRow, RunStore, StepRow } from '../../../src/store/types.js';

export class MemoryStore implements RunStore {
  readonly hosts: Omit<HostRow, 'runId'>[] = [];
  readonly steps: { host: string; step: StepResult }[] = [];
  readonly facts: { host: string; facts: unknown }[] = [];
  readonly checks: { host: string; check: CheckResult; fixStatus: CheckRow['fixStatus'] }[] = [];
  readonly fleetChecks: FleetCheckResult[] = [];
  finished: RunStatus | undefined;

  async startRun(_run: NewRun): Promise<number> {
    return 1;
  }
  recordHost(_runId: number, row: Omit<HostRow, 'runId'>): void {
    this.hosts.push(row);
  }
  readonly groups = new Map<string, string[]>();
  recordHostGroups(_runId: number, host: string, groups: readonly string[]): void {
    this.groups.set(host, [...groups]);
  }
  recordStep(_runId: number, host: string, step: StepResult): void {
    this.steps.push({ host, step });
  }
  recordFacts(_runId: number, host: string, facts: unknown): void {
    this.facts.push({ host, facts });
  }
  recordCheck(_runId: number, host: string, check: CheckResult, fixStatus: CheckRow['fixStatus'] = null): void {
    this.checks.push({ host, check, fixStatus });
  }
  recordFleetCheck(_runId: number, check: FleetCheckResult): void {
    this.fleetChecks.push(check);
  }
  finishRun(_runId: number, status: RunStatus): void {
    this.finished = status;
  }
  async flush(): Promise<void> {}
  async recoverInterrupted(): Promise<number[]> {
    return [];
  }
  async listRuns(): Promise<RunRow[]> {
    return [];
  }
  async getRun(): Promise<RunRow | undefined> {
    return undefined;
  }
  async getHosts(): Promise<HostRow[]> {
    return [];
  }
  async getHostGroups(): Promise<Map<string, string[]>> {
    return new Map(this.groups);
  }
  async getSteps(): Promise<StepRow[]> {
    return [];
  }
  async getChecks(): Promise<CheckRow[]> {
    return [];
  }
  async getFleetChecks(): Promise<FleetCheckResult[]> {
    return [];
  }
  async getFacts(): Promise<unknown> {
    return undefined;
  }
  async close(): Promise<void> {}

  /** Steps of one host, in order. */
  stepsOf(host: string): StepResult[] {
    return this.steps.filter((s) => s.host === host).map((s) => s.step);
  }
}
