/** A parsed, validated playbook: plays, tasks and blocks, each with where it was written. */
import type { SourceLocation } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import type { TemplateEngine } from '../templates/render.js';

/** `serial` as a ramp: counts and "N%" strings; the last one repeats. */
export type SerialSpec = readonly (number | string)[];

/** A bare Jinja condition (`when`, `failed_when`, …) and where it was written. */
export interface Cond {
  readonly source: string | boolean | number;
  readonly loc: SourceLocation;
}

export interface TaskBase {
  /** Step id: p1.t3 (play 1, task 3), p1.t3.2 (inside a block), p1.t3.r1 (rescue), p1.t3.a1 (always), p1.h1. */
  readonly id: string;
  readonly name: string;
  readonly loc: SourceLocation;
  readonly when: readonly Cond[];
  /** Own tags; a task also carries its play's and enclosing blocks' tags. */
  readonly tags: readonly string[];
  readonly vars: Vars;
  readonly become: boolean | undefined;
  readonly becomeUser: string | undefined;
  readonly ignoreErrors: boolean;
  /** Ansible's check_mode: false = always run for real (a read-only probe); true = never change anything. */
  readonly checkMode: boolean | undefined;
  /** Keep output out of results and the DB (secrets). */
  readonly noLog: boolean;
}

export interface ModuleTask extends TaskBase {
  readonly kind: 'module';
  readonly module: string;
  readonly args: Record<string, unknown>;
  readonly argsLoc: SourceLocation;
  readonly argLocs: Readonly<Record<string, SourceLocation>>;
  readonly register: string | undefined;
  /** A list, or a template string that renders to one. */
  readonly loop: unknown;
  readonly loopLoc: SourceLocation | undefined;
  readonly loopVar: string;
  readonly indexVar: string | undefined;
  readonly loopLabel: string | undefined;
  readonly failedWhen: readonly Cond[];
  readonly changedWhen: readonly Cond[];
  readonly until: Cond | undefined;
  readonly retries: number;
  readonly delaySec: number;
  readonly notify: readonly string[];
  /** Handlers only: extra names this handler answers to. */
  readonly listen: readonly string[];
  readonly timeoutSec: number | undefined;
  /** check module: the fix task list written under `fix:`. */
  readonly fixTasks: readonly TaskNode[] | undefined;
}

export interface BlockTask extends TaskBase {
  readonly kind: 'block';
  readonly block: readonly TaskNode[];
  readonly rescue: readonly TaskNode[];
  readonly always: readonly TaskNode[];
}

export type TaskNode = ModuleTask | BlockTask;

export interface Play {
  /** 1-based position in the playbook. */
  readonly index: number;
  readonly name: string;
  readonly hosts: string;
  readonly loc: SourceLocation;
  readonly hostsLoc: SourceLocation;
  readonly vars: Vars;
  /** vars_files content, merged in order. */
  readonly varsFiles: Vars;
  /** Where each play var and vars_files var is written (for template errors). */
  readonly varLocs: Readonly<Record<string, SourceLocation>>;
  readonly gatherFacts: boolean;
  readonly serial: SerialSpec | undefined;
  readonly maxFailPercentage: number | undefined;
  /** When set, unreachable hosts count against this limit instead of max_fail_percentage. */
  readonly maxUnreachablePercentage: number | undefined;
  readonly anyErrorsFatal: boolean;
  readonly become: boolean | undefined;
  readonly becomeUser: string | undefined;
  readonly tags: readonly string[];
  readonly tasks: readonly TaskNode[];
  readonly handlers: readonly ModuleTask[];
  /** Fleet-wide checks after the run: true = all (when facts were gathered), false = none, or these ids. */
  readonly fleetChecks: boolean | readonly string[];
  /** `fix: true`: a remediation play, which changes hosts without --fix (--check previews, --no-fix reads only). */
  readonly fix: boolean;
}

export interface Playbook {
  /** Path as given (what messages and the run record show). */
  readonly file: string;
  /** Absolute directory of the playbook (files/, templates/, vars_files are relative to it). */
  readonly dir: string;
  readonly plays: readonly Play[];
  /** What a run without --fix/--no-fix does: true when the plays declare `fix: true` (all or none do). */
  readonly fixByDefault: boolean;
  /** The engine every template and expression of this playbook was compiled with. */
  readonly engine: TemplateEngine;
}
