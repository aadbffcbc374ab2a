/** A schedule as declared in fleet.schedule.yml, validated: what to run, when, and whom to tell. */
import type { SourceLocation } from '../core/errors.js';

/** When a schedule fires: a cron expression in a time zone, or a fixed interval. */
export type Trigger =
  | { readonly kind: 'cron'; readonly expr: string; readonly timezone: string | undefined }
  | { readonly kind: 'every'; readonly everyMs: number; readonly text: string };

export type OverlapPolicy = 'skip' | 'queue';
export type MissedPolicy = 'skip' | 'run-once';

export interface Retention {
  readonly keepRuns: number | undefined;
  readonly keepDays: number | undefined;
  /** Runs always kept, whatever keep_runs/keep_days say. */
  readonly minKept: number;
}

export interface WebhookChannel {
  readonly kind: 'webhook';
  /** May embed a token: mask it (maskUrl) before it reaches a log or a listing. */
  readonly url: string;
}

export interface CommandChannel {
  readonly kind: 'command';
  /** argv, never a shell string: the notification JSON arrives on stdin. */
  readonly argv: readonly string[];
}

export type Channel = WebhookChannel | CommandChannel;

export interface Notifications {
  readonly channels: readonly Channel[];
  readonly timeoutMs: number;
  readonly retries: number;
  /** Notify a failing check only after this many consecutive failing runs. */
  readonly after: number;
  /** Repeat a still-open problem at most this often; undefined = never. */
  readonly remindMs: number | undefined;
}

export interface Schedule {
  readonly name: string;
  /** As written (a name in playbooks/ or a path); `playbookFile` is where it resolved. */
  readonly playbook: string;
  readonly playbookFile: string;
  readonly inventories: readonly string[];
  readonly limit: string | undefined;
  readonly extraVars: readonly string[];
  readonly tags: readonly string[];
  readonly skipTags: readonly string[];
  readonly trigger: Trigger;
  readonly jitterMs: number;
  readonly fix: boolean;
  readonly report: string | undefined;
  readonly retention: Retention;
  readonly overlap: OverlapPolicy;
  readonly missed: MissedPolicy;
  readonly notify: Notifications | undefined;
  /** Where the schedule is declared, for messages that point back at the file. */
  readonly at: SourceLocation;
}

export interface ScheduleFile {
  readonly file: string;
  readonly schedules: readonly Schedule[];
}
