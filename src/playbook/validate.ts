/**
 * Everything that can be checked without a host, checked before any connection: every template and
 * expression compiles, module arguments hold up (template files exist and compile, check ids exist),
 * notify names a handler, host patterns parse. The first problem is thrown as a PlaybookError.
 */
import { PlaybookError, type SourceLocation } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import { MODULES } from './module-registry.js';
import { didYouMean } from '../modules/suggest.js';
import type { CheckCatalog } from '../modules/types.js';
import { hasTemplate } from '../templates/lazy.js';
import type { TemplateEngine } from '../templates/render.js';
import { isMapping } from '../templates/truth.js';
import type { ModuleTask, Play, Playbook, TaskNode } from './types.js';

export interface ValidateOptions {
  readonly catalog: CheckCatalog;
  /** Checks a play's host pattern (the inventory's parser); throw an Error to reject it. */
  readonly checkPattern?: (pattern: string) => void;
}

/** Compiles every template string inside `value` (syntax only). */
function compileDeep(engine: TemplateEngine, value: unknown, at: SourceLocation): void {
  if (typeof value === 'string') {
    if (hasTemplate(value)) engine.template(value, at);
  } else if (Array.isArray(value)) {
    for (const v of value) compileDeep(engine, v, at);
  } else if (isMapping(value)) {
    for (const v of Object.values(value)) compileDeep(engine, v, at);
  }
}

function compileVars(engine: TemplateEngine, vars: Vars, at: SourceLocation): void {
  for (const v of Object.values(vars)) compileDeep(engine, v, at);
}

/** Throws the first problem found in `pb` as a PlaybookError with file:line. */
export function validatePlaybook(pb: Playbook, opts: ValidateOptions): void {
  for (const play of pb.plays) validatePlay(pb, play, opts);
}

function validatePlay(pb: Playbook, play: Play, opts: ValidateOptions): void {
  const { engine } = pb;
  if (hasTemplate(play.hosts)) engine.template(play.hosts, play.hostsLoc);
  else if (opts.checkPattern) {
    try {
      opts.checkPattern(play.hosts);
    } catch (err) {
      throw new PlaybookError(`hosts: ${(err as Error).message.replace(/^.*?:\d+: /, '')}`, play.hostsLoc);
    }
  }
  for (const [name, v] of Object.entries({ ...play.vars, ...play.varsFiles })) compileDeep(engine, v, play.varLocs[name] ?? play.loc);
  if (Array.isArray(play.fleetChecks)) {
    const known = opts.catalog.fleetCheckIds();
    for (const id of play.fleetChecks) {
      if (!known.includes(id)) throw new PlaybookError(`unknown fleet check '${id}'${didYouMean(id, known)}`, play.loc);
    }
  }
  const handlerNames = new Set(play.handlers.flatMap((h) => [h.name, ...h.listen]));
  const walk = (nodes: readonly TaskNode[]) => {
    for (const t of nodes) {
      for (const c of t.when) engine.expression(c.source, c.loc);
      compileVars(engine, t.vars, t.loc);
      if (t.kind === 'block') {
        walk(t.block);
        walk(t.rescue);
        walk(t.always);
        continue;
      }
      validateTask(pb, t, opts);
      for (const n of t.notify) {
        if (!hasTemplate(n) && !handlerNames.has(n))
          throw new PlaybookError(`notify: no handler named '${n}' in this play${didYouMean(n, handlerNames)}`, t.loc);
      }
      if (t.fixTasks) walk(t.fixTasks);
    }
  };
  walk(play.tasks);
  walk(play.handlers);
}

function validateTask(pb: Playbook, t: ModuleTask, opts: ValidateOptions): void {
  const { engine } = pb;
  const module = MODULES.get(t.module);
  if (!module) throw new PlaybookError(`unknown module '${t.module}'`, t.loc);
  for (const c of [...t.failedWhen, ...t.changedWhen, ...(t.until ? [t.until] : [])]) engine.expression(c.source, c.loc);
  if (typeof t.loop === 'string') {
    if (!hasTemplate(t.loop))
      throw new PlaybookError(`loop must be a list or a template (got the plain string '${t.loop}')`, t.loopLoc ?? t.loc);
    engine.template(t.loop, t.loopLoc ?? t.loc);
  } else if (t.loop !== undefined) {
    compileDeep(engine, t.loop, t.loopLoc ?? t.loc);
  }
  for (const [key, value] of Object.entries(t.args)) {
    const at = t.argLocs[key] ?? t.argsLoc;
    if (module.rawArgs?.includes(key)) continue;
    if (module.expressionArgs?.includes(key)) {
      for (const e of Array.isArray(value) ? value : [value]) {
        if (typeof e === 'string' || typeof e === 'boolean' || typeof e === 'number') engine.expression(e, at);
      }
      continue;
    }
    compileDeep(engine, value, at);
  }
  module.validate?.(t.args, {
    at: { loc: t.argsLoc, keyLoc: (k) => t.argLocs[k] ?? t.argsLoc },
    engine,
    catalog: opts.catalog,
    playbookDir: pb.dir,
  });
}
