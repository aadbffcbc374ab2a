/**
 * Shape of a playbook: YAML values → Play / TaskNode with locations. Every mistake becomes a
 * PlaybookError naming file:line. Template compilation and module-specific checks come after, in
 * validate.ts, once the whole structure is known (handlers, check ids).
 */
import path from 'node:path';
import { PlaybookError, type SourceLocation } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import { MODULES, MODULE_ALIASES } from './module-registry.js';
import { didYouMean } from '../modules/suggest.js';
import type { ArgsAt } from '../modules/types.js';
import { VAR_NAME } from '../modules/set-fact.js';
import { isMapping } from '../templates/truth.js';
import { BLOCK_KEYWORDS, HANDLER_KEYWORDS, LOOP_CONTROL_KEYS, PLAY_KEYWORDS, TASK_KEYWORDS, UNSUPPORTED } from './keywords.js';
import type { BlockTask, Cond, ModuleTask, Play, SerialSpec, TaskNode } from './types.js';
import { YamlSource } from './yaml-source.js';

type Raw = Record<string, unknown>;

/** Parses the plays of a loaded playbook file; vars_files are read through `loadVarsFile`. */
export class PlaybookParser {
  constructor(
    private readonly src: YamlSource,
    private readonly loadVarsFile: (file: string, at: SourceLocation) => Promise<{ vars: Vars; locs: Record<string, SourceLocation> }>,
  ) {}

  async plays(): Promise<Play[]> {
    const root = this.src.value;
    if (root === null) throw new PlaybookError('playbook is empty', { file: this.src.file });
    if (!Array.isArray(root))
      throw new PlaybookError('a playbook must be a list of plays (each starting with "- hosts: …")', this.src.loc(root));
    if (root.length === 0) throw new PlaybookError('playbook has no plays', this.src.loc(root));
    const plays: Play[] = [];
    for (let i = 0; i < root.length; i++) plays.push(await this.play(root[i], i + 1, this.src.itemLoc(root, i)));
    // --fix is one switch for the whole run, so a playbook cannot mix remediation and check plays.
    const first = plays[0];
    const odd = plays.find((p) => p.fix !== first?.fix);
    if (first && odd) {
      throw new PlaybookError(
        `play ${odd.index} ${odd.fix ? 'sets' : 'does not set'} 'fix: true' but play ${first.index} ${first.fix ? 'does' : 'does not'}: every play of a playbook must agree (split it into two playbooks)`,
        odd.loc,
      );
    }
    return plays;
  }

  // ---- plays ----

  private async play(raw: unknown, index: number, at: SourceLocation): Promise<Play> {
    if (!isMapping(raw)) throw new PlaybookError(`play ${index} must be a mapping with hosts and tasks`, at);
    this.keys(raw, PLAY_KEYWORDS, 'play keyword');
    const loc = this.src.loc(raw);
    const k = (key: string) => this.src.keyLoc(raw, key);
    let hosts = raw['hosts'];
    if (Array.isArray(hosts) && hosts.every((h) => typeof h === 'string')) hosts = hosts.join(':');
    if (hosts === undefined) throw new PlaybookError(`play ${index} has no 'hosts'`, loc);
    if (typeof hosts !== 'string' || hosts.trim() === '') throw new PlaybookError("'hosts' must be a host pattern string", k('hosts'));
    const id = `p${index}`;
    const vars = this.vars(raw, 'vars');
    const varLocs: Record<string, SourceLocation> = {};
    for (const name of Object.keys(vars)) varLocs[name] = this.src.keyLoc(raw['vars'], name);
    const varsFiles: Vars = {};
    if (raw['vars_files'] !== undefined) {
      const list = raw['vars_files'];
      const files = typeof list === 'string' ? [list] : list;
      if (!Array.isArray(files)) throw new PlaybookError('vars_files must be a list of file names', k('vars_files'));
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const fat = Array.isArray(list) ? this.src.itemLoc(list, i) : k('vars_files');
        if (typeof f !== 'string') throw new PlaybookError('vars_files entries must be file names', fat);
        const loaded = await this.loadVarsFile(f, fat);
        Object.assign(varsFiles, loaded.vars);
        Object.assign(varLocs, loaded.locs);
      }
    }
    const tasks = this.taskList(raw['tasks'] ?? [], `${id}.t`, k('tasks'), false);
    const handlers = this.taskList(raw['handlers'] ?? [], `${id}.h`, k('handlers'), true);
    for (const h of handlers) if (h.kind !== 'module') throw new PlaybookError('handlers cannot be blocks', h.loc);
    return {
      index,
      name: this.optString(raw, 'name') ?? `play ${index} (${hosts})`,
      hosts: hosts.trim(),
      loc,
      hostsLoc: k('hosts'),
      vars,
      varsFiles,
      varLocs,
      gatherFacts: this.optBool(raw, 'gather_facts') ?? false,
      serial: this.serial(raw),
      maxFailPercentage: this.percentage(raw),
      maxUnreachablePercentage: this.percentage(raw, 'max_unreachable_percentage'),
      anyErrorsFatal: this.optBool(raw, 'any_errors_fatal') ?? false,
      become: this.optBool(raw, 'become'),
      becomeUser: this.optString(raw, 'become_user'),
      tags: this.tags(raw),
      tasks,
      handlers: handlers as ModuleTask[],
      fleetChecks: this.fleetChecks(raw),
      fix: this.optBool(raw, 'fix') ?? false,
    };
  }

  private serial(raw: Raw): SerialSpec | undefined {
    const v = raw['serial'];
    if (v === undefined || v === null) return undefined;
    const at = this.src.keyLoc(raw, 'serial');
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) throw new PlaybookError('serial must not be an empty list', at);
    for (const s of list) {
      const ok =
        (typeof s === 'number' && Number.isInteger(s) && s >= 0) ||
        (typeof s === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$|^\s*\d+\s*$/.test(s));
      if (!ok)
        throw new PlaybookError(
          `serial must be a number of hosts, a percentage like "25%", or a list of those (got ${JSON.stringify(s)})`,
          at,
        );
    }
    return list.map((s) => (typeof s === 'string' && /^\s*\d+\s*$/.test(s) ? Number(s) : s)) as SerialSpec;
  }

  private percentage(raw: Raw, key: 'max_fail_percentage' | 'max_unreachable_percentage' = 'max_fail_percentage'): number | undefined {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' ? Number(v.trim().replace(/%$/, '')) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) {
      throw new PlaybookError(`${key} must be a number from 0 to 100`, this.src.keyLoc(raw, key));
    }
    return n;
  }

  private fleetChecks(raw: Raw): boolean | string[] {
    const v = raw['fleet_checks'];
    if (v === undefined || v === null) return true;
    if (typeof v === 'boolean') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    throw new PlaybookError('fleet_checks must be true, false or a list of fleet check ids', this.src.keyLoc(raw, 'fleet_checks'));
  }

  // ---- tasks ----

  private taskList(raw: unknown, prefix: string, at: SourceLocation, handlers: boolean): TaskNode[] {
    if (raw === null) return [];
    if (!Array.isArray(raw)) throw new PlaybookError('expected a list of tasks', at);
    return raw.map((t, i) => this.task(t, `${prefix}${i + 1}`, this.src.itemLoc(raw, i), handlers));
  }

  private task(raw: unknown, id: string, at: SourceLocation, handler: boolean): TaskNode {
    if (!isMapping(raw)) throw new PlaybookError('a task must be a mapping (e.g. "- name: …" followed by a module)', at);
    return 'block' in raw ? this.block(raw, id, handler) : this.moduleTask(raw, id, handler);
  }

  private block(raw: Raw, id: string, handler: boolean): BlockTask {
    if (handler) throw new PlaybookError('handlers cannot be blocks', this.src.loc(raw));
    this.keys(raw, BLOCK_KEYWORDS, 'block keyword');
    const list = (key: string, prefix: string) => this.taskList(raw[key] ?? [], prefix, this.src.keyLoc(raw, key), false);
    const block = list('block', `${id}.`);
    if (block.length === 0) throw new PlaybookError('block has no tasks', this.src.keyLoc(raw, 'block'));
    return {
      kind: 'block',
      ...this.common(raw, id, this.optString(raw, 'name') ?? 'block'),
      block,
      rescue: list('rescue', `${id}.r`),
      always: list('always', `${id}.a`),
    };
  }

  private moduleTask(raw: Raw, id: string, handler: boolean): ModuleTask {
    const allowed = handler ? HANDLER_KEYWORDS : TASK_KEYWORDS;
    const modules: string[] = [];
    for (const key of Object.keys(raw)) {
      if (allowed.includes(key)) continue;
      const name = MODULE_ALIASES[key] ?? key;
      if (MODULES.has(name)) {
        modules.push(key);
        continue;
      }
      const at = this.src.keyLoc(raw, key);
      if (UNSUPPORTED[key]) throw new PlaybookError(UNSUPPORTED[key], at);
      if (key === 'listen') throw new PlaybookError("'listen' is only allowed on handlers", at);
      if (key === 'rescue' || key === 'always') throw new PlaybookError(`'${key}' needs a 'block'`, at);
      throw new PlaybookError(`unknown module or keyword '${key}'${didYouMean(key, [...MODULES.keys(), ...allowed])}`, at);
    }
    const loc = this.src.loc(raw);
    if (modules.length === 0) throw new PlaybookError(`task has no module (one of: ${[...MODULES.keys()].join(', ')})`, loc);
    if (modules.length > 1)
      throw new PlaybookError(`task has more than one module: ${modules.join(', ')}`, this.src.keyLoc(raw, modules[1] ?? ''));
    const key = modules[0] ?? '';
    const module = MODULES.get(MODULE_ALIASES[key] ?? key);
    if (!module) throw new PlaybookError(`unknown module '${key}'`, loc);

    // Merge `args:` into the module's own arguments (free-form strings stay the command).
    let rawArgs = raw[key];
    const extra = raw['args'];
    if (extra !== undefined) {
      if (!isMapping(extra)) throw new PlaybookError("'args' must be a mapping", this.src.keyLoc(raw, 'args'));
      rawArgs = isMapping(rawArgs)
        ? { ...extra, ...rawArgs }
        : {
            ...extra,
            ...(rawArgs === null || rawArgs === undefined
              ? {}
              : { [module.name === 'shell' || module.name === 'command' ? 'cmd' : 'id']: rawArgs }),
          };
    }
    const argsLoc = this.src.keyLoc(raw, key);
    const argsObj = rawArgs;
    const argsAt: ArgsAt = {
      loc: argsLoc,
      keyLoc: (k) => {
        const own = this.src.keyLoc(argsObj, k);
        return own.line !== undefined && isMapping(argsObj) && k in argsObj
          ? own
          : isMapping(extra) && k in extra
            ? this.src.keyLoc(extra, k)
            : argsLoc;
      },
    };
    const args = module.parse(rawArgs, argsAt);
    const argLocs: Record<string, SourceLocation> = {};
    for (const k of Object.keys(args)) argLocs[k] = argsAt.keyLoc(k);

    let fixTasks: TaskNode[] | undefined;
    if (module.name === 'check' && args['fix'] !== undefined) {
      fixTasks = this.taskList(args['fix'], `${id}.f`, argsAt.keyLoc('fix'), false);
    }

    const register = this.optString(raw, 'register');
    if (register !== undefined && !VAR_NAME.test(register))
      throw new PlaybookError(`register: '${register}' is not a valid variable name`, this.src.keyLoc(raw, 'register'));
    if ('loop' in raw && 'with_items' in raw)
      throw new PlaybookError("use either 'loop' or 'with_items', not both", this.src.keyLoc(raw, 'with_items'));
    const loopKey = 'loop' in raw ? 'loop' : 'with_items' in raw ? 'with_items' : undefined;
    const loop = loopKey ? raw[loopKey] : undefined;
    if (loopKey && !Array.isArray(loop) && typeof loop !== 'string') {
      throw new PlaybookError(`'${loopKey}' must be a list or a template that gives one`, this.src.keyLoc(raw, loopKey));
    }
    const lc = raw['loop_control'];
    if (lc !== undefined) {
      if (!isMapping(lc)) throw new PlaybookError('loop_control must be a mapping', this.src.keyLoc(raw, 'loop_control'));
      this.keys(lc, LOOP_CONTROL_KEYS, 'loop_control key');
    }
    const lcs = (k: string) => {
      if (!isMapping(lc) || lc[k] === undefined) return undefined;
      if (typeof lc[k] !== 'string') throw new PlaybookError(`loop_control.${k} must be a string`, this.src.keyLoc(lc, k));
      return lc[k];
    };
    const loopVar = lcs('loop_var') ?? 'item';
    if (!VAR_NAME.test(loopVar))
      throw new PlaybookError(`loop_var '${loopVar}' is not a valid variable name`, this.src.keyLoc(lc, 'loop_var'));
    const until = raw['until'] === undefined ? undefined : this.conds(raw, 'until')[0];
    if (module.name === 'check') {
      for (const bad of ['loop', 'with_items', 'until', 'failed_when', 'changed_when']) {
        if (bad in raw) throw new PlaybookError(`'${bad}' cannot be used on a check task`, this.src.keyLoc(raw, bad));
      }
    }
    if (module.name === 'check' && handler) throw new PlaybookError('a check cannot be a handler', loc);

    const common = this.common(raw, id, this.optString(raw, 'name') ?? defaultName(module.name, args));
    return {
      kind: 'module',
      ...common,
      // A check task is tagged with its check id and group (bridge.mtu → bridge.mtu, bridge), so
      // `--tags bridge` or `--skip-tags netfilter.nft-forward` work without tagging every task by hand.
      tags: module.name === 'check' ? withCheckTags(common.tags, args['id']) : common.tags,
      module: module.name,
      args,
      argsLoc,
      argLocs,
      register,
      loop,
      loopLoc: loopKey ? this.src.keyLoc(raw, loopKey) : undefined,
      loopVar,
      indexVar: lcs('index_var'),
      loopLabel: lcs('label'),
      failedWhen: this.conds(raw, 'failed_when'),
      changedWhen: this.conds(raw, 'changed_when'),
      until,
      retries: this.optNumber(raw, 'retries', true) ?? 3,
      delaySec: this.optNumber(raw, 'delay', false) ?? 5,
      notify: this.stringList(raw, 'notify'),
      listen: this.stringList(raw, 'listen'),
      timeoutSec: this.optNumber(raw, 'timeout', false, true),
      fixTasks,
    };
  }

  /** Keywords shared by tasks and blocks. */
  private common(raw: Raw, id: string, name: string) {
    return {
      id,
      name,
      loc: this.src.loc(raw),
      when: this.conds(raw, 'when'),
      tags: this.tags(raw),
      vars: this.vars(raw, 'vars'),
      become: this.optBool(raw, 'become'),
      becomeUser: this.optString(raw, 'become_user'),
      ignoreErrors: this.optBool(raw, 'ignore_errors') ?? false,
      checkMode: this.optBool(raw, 'check_mode'),
      noLog: this.optBool(raw, 'no_log') ?? false,
    };
  }

  // ---- small typed readers ----

  private keys(raw: Raw, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(raw)) {
      if (allowed.includes(key)) continue;
      const at = this.src.keyLoc(raw, key);
      if (UNSUPPORTED[key]) throw new PlaybookError(UNSUPPORTED[key], at);
      throw new PlaybookError(`unknown ${what} '${key}'${didYouMean(key, allowed)}`, at);
    }
  }

  private conds(raw: Raw, key: string): Cond[] {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    return list.map((c, i) => {
      const loc = Array.isArray(v) ? this.src.itemLoc(v, i) : this.src.keyLoc(raw, key);
      if (typeof c !== 'string' && typeof c !== 'boolean' && typeof c !== 'number')
        throw new PlaybookError(`'${key}' must be an expression or a list of expressions`, loc);
      return { source: c, loc };
    });
  }

  private vars(raw: Raw, key: string): Vars {
    const v = raw[key];
    if (v === undefined || v === null) return {};
    if (!isMapping(v)) throw new PlaybookError(`'${key}' must be a mapping`, this.src.keyLoc(raw, key));
    for (const name of Object.keys(v)) {
      if (!VAR_NAME.test(name)) throw new PlaybookError(`'${name}' is not a valid variable name`, this.src.keyLoc(v, name));
    }
    return v;
  }

  private tags(raw: Raw): string[] {
    const v = raw['tags'];
    if (v === undefined || v === null) return [];
    const at = this.src.keyLoc(raw, 'tags');
    const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : null;
    if (!list || !list.every((t) => typeof t === 'string' || typeof t === 'number'))
      throw new PlaybookError('tags must be a list of names', at);
    return list.map((t) => String(t).trim()).filter((t) => t !== '');
  }

  private stringList(raw: Raw, key: string): string[] {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => typeof x === 'string'))
      throw new PlaybookError(`'${key}' must be a name or a list of names`, this.src.keyLoc(raw, key));
    return list as string[];
  }

  private optString(raw: Raw, key: string): string | undefined {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw new PlaybookError(`'${key}' must be a string`, this.src.keyLoc(raw, key));
    return String(v);
  }

  private optBool(raw: Raw, key: string): boolean | undefined {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    throw new PlaybookError(`'${key}' must be true or false`, this.src.keyLoc(raw, key));
  }

  private optNumber(raw: Raw, key: string, integer: boolean, positive = false): number | undefined {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)) || (positive && n === 0)) {
      throw new PlaybookError(
        `'${key}' must be a ${positive ? 'positive' : 'non-negative'} ${integer ? 'integer' : 'number'}`,
        this.src.keyLoc(raw, key),
      );
    }
    return n;
  }
}

/** A task's display name when it has none: `command: ip -j link`, `check bridge.ip-on-port`. */
function defaultName(module: string, args: Record<string, unknown>): string {
  if (module === 'check' || module === 'fix') return `${module} ${String(args['id'])}`;
  const first = args['cmd'] ?? args['argv'] ?? args['name'] ?? args['dest'] ?? args['msg'] ?? args['var'];
  const text = Array.isArray(first) ? first.join(' ') : typeof first === 'string' ? first : '';
  const short = text.replace(/\s+/g, ' ').trim();
  return short ? `${module}: ${short.length > 60 ? `${short.slice(0, 57)}...` : short}` : module;
}

/** Resolves a vars_files entry relative to the playbook. */
export function varsFilePath(playbookDir: string, file: string): string {
  return path.resolve(playbookDir, file);
}

/** Own tags plus the check's id and group (the part before the first dot), without duplicates. */
export function withCheckTags(tags: readonly string[], id: unknown): string[] {
  if (typeof id !== 'string' || id === '') return [...tags];
  const group = id.includes('.') ? id.slice(0, id.indexOf('.')) : id;
  return [...new Set([...tags, id, group])];
}
