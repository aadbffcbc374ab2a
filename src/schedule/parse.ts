/**
 * fleet.schedule.yml → validated schedules. Every problem names file:line: an unknown key (with a
 * did-you-mean), a cron field out of range, a time zone or duration that does not parse, a playbook
 * that does not exist, a remediation playbook without `fix: true`. Relative paths (inventories,
 * report, a playbook path, `@file` extra vars) are relative to the schedule file's directory, so the
 * daemon does not depend on the directory it was started from.
 */
import path from 'node:path';
import { InputError, type SourceLocation } from '../core/errors.js';
import { didYouMean } from '../modules/suggest.js';
import type { YamlSource } from '../playbook/yaml-source.js';
import { cronProblem, isTimeZone } from './cron.js';
import { parseDuration } from './duration.js';
import { ScheduleError } from './errors.js';
import type { Channel, Notifications, Retention, Schedule, Trigger } from './types.js';
import { loadScheduleYaml } from './yaml-load.js';

export const DEFAULT_SCHEDULE_FILE = 'fleet.schedule.yml';

/** What parsing needs to know about playbooks; the CLI supplies fleet's own lookup. */
export interface PlaybookLookup {
  /** The playbook's file for `name` (a name in playbooks/ or a path); throws InputError when there is none. */
  resolve(name: string, baseDir: string): string;
  /** True when the playbook is a remediation (its plays say `fix: true`); throws on a broken playbook. */
  isRemediation(file: string): Promise<boolean>;
}

const TOP_KEYS = ['schedules'];
const KEYS = [
  'name',
  'playbook',
  'inventory',
  'limit',
  'extra_vars',
  'tags',
  'skip_tags',
  'cron',
  'timezone',
  'every',
  'jitter',
  'fix',
  'report',
  'retention',
  'overlap',
  'missed',
  'notify',
];
const RETENTION_KEYS = ['keep_runs', 'keep_days', 'min_kept'];
const NOTIFY_KEYS = ['webhook', 'command', 'timeout', 'retries', 'after', 'remind'];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const DEFAULT_MIN_KEPT = 10;
const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;
const DEFAULT_NOTIFY_RETRIES = 5;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Loads and validates a schedule file. */
export async function loadScheduleFile(file: string, playbooks: PlaybookLookup): Promise<Schedule[]> {
  return parseSchedules(await loadScheduleYaml(file), playbooks);
}

export async function parseSchedules(src: YamlSource, playbooks: PlaybookLookup): Promise<Schedule[]> {
  const doc = src.value;
  const fileLoc: SourceLocation = { file: src.file };
  if (!isObj(doc))
    throw new ScheduleError('a schedule file is a mapping with a `schedules:` list', src.loc(doc).line ? src.loc(doc) : fileLoc);
  unknownKeys(src, doc, TOP_KEYS, 'top-level key');
  const list = doc['schedules'];
  if (!Array.isArray(list) || list.length === 0)
    throw new ScheduleError('`schedules:` must be a non-empty list of schedules', src.keyLoc(doc, 'schedules'));
  const out: Schedule[] = [];
  const seen = new Map<string, SourceLocation>();
  for (const [i, item] of list.entries()) {
    const at = src.itemLoc(list, i);
    if (!isObj(item)) throw new ScheduleError('each schedule is a mapping (name, playbook, inventory, cron or every, …)', at);
    const s = await parseOne(src, item, playbooks);
    const prev = seen.get(s.name);
    if (prev)
      throw new ScheduleError(`schedule '${s.name}' is declared twice (first at line ${prev.line ?? '?'})`, src.keyLoc(item, 'name'));
    seen.set(s.name, s.at);
    out.push(s);
  }
  return out;
}

function unknownKeys(src: YamlSource, obj: Obj, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(obj))
    if (!allowed.includes(k)) throw new ScheduleError(`unknown ${what} '${k}'${didYouMean(k, allowed)}`, src.keyLoc(obj, k));
}

class Fields {
  constructor(
    readonly src: YamlSource,
    readonly obj: Obj,
  ) {}
  at(key: string): SourceLocation {
    return this.src.keyLoc(this.obj, key);
  }
  fail(key: string, message: string): never {
    throw new ScheduleError(message, this.at(key));
  }
  string(key: string): string | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.trim() === '') this.fail(key, `${key} must be a non-empty string`);
    return v;
  }
  /** A string or a list of strings. */
  strings(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    for (const x of list) if (typeof x !== 'string' || x.trim() === '') this.fail(key, `${key} must be a string or a list of strings`);
    return (list as string[]).flatMap((x) => (key.endsWith('tags') ? x.split(',').map((t) => t.trim()) : [x])).filter(Boolean);
  }
  bool(key: string, dflt: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') this.fail(key, `${key} must be true or false`);
    return v;
  }
  count(key: string, min: number): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      this.fail(key, `${key} must be a whole number ≥ ${min}, not ${String(v)}`);
    return v;
  }
  duration(key: string): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    const ms = parseDuration(v);
    if (ms === undefined) this.fail(key, `${key}: '${String(v)}' is not a duration (like 90s, 15m, 1h30m, 24h, 7d)`);
    return ms;
  }
  oneOf<T extends string>(key: string, values: readonly T[], dflt: T): T {
    const v = this.obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
      this.fail(key, `${key} must be one of ${values.join(', ')}, not '${String(v)}'${didYouMean(String(v), values)}`);
    return v as T;
  }
}

async function parseOne(src: YamlSource, obj: Obj, playbooks: PlaybookLookup): Promise<Schedule> {
  unknownKeys(src, obj, KEYS, 'schedule key');
  const f = new Fields(src, obj);
  const baseDir = path.dirname(path.resolve(src.file));
  const at = src.loc(obj);
  const name = f.string('name');
  if (name === undefined) throw new ScheduleError('a schedule needs a name', at);
  if (!NAME_RE.test(name))
    f.fail('name', `schedule name '${name}' may use letters, digits, '.', '_' and '-' only (it names systemd units and files)`);
  const playbook = f.string('playbook');
  if (playbook === undefined) throw new ScheduleError(`schedule '${name}' needs a playbook`, at);
  let playbookFile: string;
  try {
    playbookFile = playbooks.resolve(playbook, baseDir);
  } catch (err) {
    if (err instanceof InputError) f.fail('playbook', err.message);
    throw err;
  }
  const inventories = f.strings('inventory').map((i) => (i.includes(',') && !i.includes('/') ? i : path.resolve(baseDir, i)));
  if (inventories.length === 0) throw new ScheduleError(`schedule '${name}' needs an inventory (a path, or a list of them)`, at);
  const trigger = parseTrigger(f, name, at);
  const fix = f.bool('fix', false);
  let remediation: boolean;
  try {
    remediation = await playbooks.isRemediation(playbookFile);
  } catch (err) {
    if (err instanceof InputError) f.fail('playbook', `playbook ${playbook}: ${err.message}`);
    throw err;
  }
  if (remediation && !fix)
    f.fail(
      'playbook',
      `${playbook} is a remediation playbook (fix: true): it changes hosts, so running it unattended needs \`fix: true\` in the schedule`,
    );
  const report = f.string('report');
  return {
    name,
    playbook,
    playbookFile,
    inventories,
    limit: f.string('limit'),
    extraVars: parseExtraVars(f, baseDir),
    tags: f.strings('tags'),
    skipTags: f.strings('skip_tags'),
    trigger,
    jitterMs: f.duration('jitter') ?? 0,
    fix,
    report: report === undefined ? undefined : path.resolve(baseDir, report),
    retention: parseRetention(src, obj),
    overlap: f.oneOf('overlap', ['skip', 'queue'] as const, 'skip'),
    missed: f.oneOf('missed', ['skip', 'run-once'] as const, 'skip'),
    notify: parseNotify(src, obj),
    at,
  };
}

function parseTrigger(f: Fields, name: string, at: SourceLocation): Trigger {
  const cron = f.obj['cron'];
  const every = f.obj['every'];
  const tz = f.string('timezone');
  if (cron !== undefined && every !== undefined) f.fail('every', `schedule '${name}': give cron or every, not both`);
  if (tz !== undefined && !isTimeZone(tz)) f.fail('timezone', `unknown time zone '${tz}' (an IANA name such as Europe/Berlin or UTC)`);
  if (every !== undefined) {
    if (tz !== undefined) f.fail('timezone', 'timezone applies to cron, not to every');
    const ms = f.duration('every');
    if (ms === undefined || ms < 1000) f.fail('every', `every must be at least 1s`);
    return { kind: 'every', everyMs: ms, text: String(every) };
  }
  const expr = f.string('cron');
  if (expr === undefined) throw new ScheduleError(`schedule '${name}' needs cron (with an optional timezone) or every`, at);
  const problem = cronProblem(expr);
  if (problem) f.fail('cron', `cron '${expr}': ${problem}`);
  return { kind: 'cron', expr, timezone: tz };
}

/** A mapping (passed as one JSON -e), or strings as -e takes them (k=v, @file, JSON). */
function parseExtraVars(f: Fields, baseDir: string): string[] {
  const v = f.obj['extra_vars'];
  if (v === undefined || v === null) return [];
  if (isObj(v)) return [JSON.stringify(v)];
  return f.strings('extra_vars').map((e) => (e.startsWith('@') ? `@${path.resolve(baseDir, e.slice(1))}` : e));
}

function parseRetention(src: YamlSource, obj: Obj): Retention {
  const v = obj['retention'];
  if (v === undefined || v === null) return { keepRuns: undefined, keepDays: undefined, minKept: DEFAULT_MIN_KEPT };
  if (!isObj(v)) throw new ScheduleError('retention is a mapping (keep_runs, keep_days, min_kept)', src.keyLoc(obj, 'retention'));
  unknownKeys(src, v, RETENTION_KEYS, 'retention key');
  const f = new Fields(src, v);
  return { keepRuns: f.count('keep_runs', 1), keepDays: f.count('keep_days', 1), minKept: f.count('min_kept', 0) ?? DEFAULT_MIN_KEPT };
}

function parseNotify(src: YamlSource, obj: Obj): Notifications | undefined {
  const v = obj['notify'];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v))
    throw new ScheduleError('notify is a mapping (webhook, command, timeout, retries, after, remind)', src.keyLoc(obj, 'notify'));
  unknownKeys(src, v, NOTIFY_KEYS, 'notify key');
  const f = new Fields(src, v);
  const channels: Channel[] = [];
  for (const url of f.strings('webhook')) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      // The URL may hold a token: never echo it.
      return f.fail('webhook', 'webhook is not a URL');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') f.fail('webhook', `webhook must be http(s), not ${u.protocol}`);
    channels.push({ kind: 'webhook', url });
  }
  const cmd = v['command'];
  if (cmd !== undefined && cmd !== null) {
    const argv = typeof cmd === 'string' ? [cmd] : cmd;
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string' || a === ''))
      f.fail('command', 'command is a program path or a list [program, arg, …] (no shell); the JSON arrives on stdin');
    channels.push({ kind: 'command', argv: argv as string[] });
  }
  if (channels.length === 0) throw new ScheduleError('notify needs a webhook or a command', src.keyLoc(obj, 'notify'));
  return {
    channels,
    timeoutMs: f.duration('timeout') ?? DEFAULT_NOTIFY_TIMEOUT_MS,
    retries: f.count('retries', 0) ?? DEFAULT_NOTIFY_RETRIES,
    after: f.count('after', 1) ?? 1,
    remindMs: f.duration('remind'),
  };
}
