/**
 * The task module contract. A module parses its YAML arguments at load time (so mistakes fail
 * before any connection) and runs against one host through a ModuleContext, which is all it may
 * touch: one connection's exec, the host's facts, the template engine.
 */
import type { CheckResult, FleetCheckResult } from '../core/check.js';
import type { SourceLocation } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import type { CommandResult } from '../core/result.js';
import type { TemplateEngine } from '../templates/render.js';

/** What `planFix(fixId, facts, vars)` returns: commands that repair a failed built-in check. */
export interface FixPlan {
  readonly description: string;
  readonly commands: readonly string[];
  /** Must run detached from the SSH session (it may cut the connection, e.g. a bridge change). */
  readonly detached?: boolean;
}

/**
 * The built-in checks and facts, as the playbook engine sees them. Implemented over src/checks and
 * src/facts by playbook/catalog.ts; tests provide small ones.
 */
export interface CheckCatalog {
  hasCheck(id: string): boolean;
  checkIds(): readonly string[];
  runCheck(id: string, facts: unknown, vars: Vars): CheckResult;
  fleetCheckIds(): readonly string[];
  /** Runs one fleet-wide check over every host's facts (hosts in run order). */
  runFleetCheck(id: string, facts: ReadonlyMap<string, unknown>, vars: ReadonlyMap<string, Vars>): FleetCheckResult[];
  /** What runFleetCheck needs of a host's facts, kept once the host is done (default: all of them). */
  fleetFacts?(facts: unknown): unknown;
  hasFix(fixId: string): boolean;
  planFix(fixId: string, facts: unknown, vars: Vars): FixPlan;
  /** The read-only facts command for a host: ONE exec gathers everything. */
  factsCommand(vars: Vars): string;
  parseFacts(stdout: string): unknown;
}

/** How a run treats changes; see README "Read-only by default". */
export type RunMode = 'read-only' | 'check' | 'fix';

export interface TaskInfo {
  readonly id: string;
  readonly name: string;
  readonly loc: SourceLocation;
}

export interface ExecRequest {
  readonly stdin?: string | Buffer;
  /** Overrides the task's timeout for this command. */
  readonly timeoutMs?: number;
}

/** Everything a module may use while running on one host. */
export interface ModuleContext {
  readonly host: string;
  readonly task: TaskInfo;
  /** True when the module must not change anything: report what WOULD change instead. */
  readonly dryRun: boolean;
  /** Produce diffs for files (with --diff). */
  readonly diff: boolean;
  /** The task's variables (host vars, play vars, registered results, loop item…). */
  readonly vars: Vars;
  readonly engine: TemplateEngine;
  /** Directory of the playbook (files/ and templates/ are looked up under it). */
  readonly playbookDir: string;
  readonly catalog: CheckCatalog;
  readonly signal: AbortSignal;
  /** Runs one command on the host with the task's become and timeout. */
  exec(command: string, req?: ExecRequest): Promise<CommandResult>;
  /** The host's facts, gathered once per run (one exec of the facts script). */
  facts(): Promise<unknown>;
  /** Drops the host's connection and dials a new one (after a network change). */
  reconnect(): Promise<void>;
}

/** The outcome of a module on one host (one loop item). */
export interface ModuleResult {
  readonly changed: boolean;
  readonly failed?: boolean;
  readonly skipped?: boolean;
  /** One line for humans. */
  readonly msg?: string;
  readonly rc?: number | null;
  readonly stdout?: string;
  readonly stderr?: string;
  /** Unified diff of a file change (with --diff). */
  readonly diff?: string;
  /** Extra fields exposed through `register` (dest, checksum, …). */
  readonly data?: Record<string, unknown>;
  /** set_fact: variables to set for the host. */
  readonly facts?: Vars;
  /** check: the evaluated check. */
  readonly check?: CheckResult;
}

/** Where a task's arguments are in the playbook, for errors. */
export interface ArgsAt {
  readonly loc: SourceLocation;
  keyLoc(key: string): SourceLocation;
}

/** Load-time services for a module's deeper validation. */
export interface ValidateContext {
  readonly at: ArgsAt;
  readonly engine: TemplateEngine;
  readonly catalog: CheckCatalog;
  readonly playbookDir: string;
}

export interface TaskModule {
  readonly name: string;
  /** Normalises YAML args (free-form strings included) and checks names and types. Throws PlaybookError. */
  parse(raw: unknown, at: ArgsAt): Record<string, unknown>;
  /** Argument keys that hold bare Jinja expressions (compiled as expressions, not rendered first). */
  readonly expressionArgs?: readonly string[];
  /** Argument keys passed to run() as written (not templated). */
  readonly rawArgs?: readonly string[];
  /** Whether running it can change the host (then it only runs for real with --fix). */
  mutates(args: Record<string, unknown>): boolean;
  /** Deeper load-time checks (template files compile, check ids exist). */
  validate?(args: Record<string, unknown>, v: ValidateContext): void;
  /**
   * Per-host input checks before a play's first batch, on rendered args and the host's variables
   * (no connection, no facts): throws an Error naming what is wrong. A play that changes hosts does
   * not start while any host fails it, so a bad var on host #300 cannot stop a rollout half-way.
   */
  preflight?(args: Record<string, unknown>, vars: Record<string, unknown>, host: string): void;
  run(ctx: ModuleContext, args: Record<string, unknown>): Promise<ModuleResult>;
}
