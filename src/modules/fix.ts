/**
 * `fix`: runs a built-in fix by id (`fix: bridge.move-ip` or `{id, timeout}`), planned from the
 * host's facts by planFix. It changes the host, so it only runs for real with --fix.
 */
import { PlaybookError } from '../core/errors.js';
import { checkArgs, int, str } from './args.js';
import { DEFAULT_DETACHED, runFixPlan } from './fix-exec.js';
import { didYouMean } from './suggest.js';
import type { TaskModule } from './types.js';
import { isMapping } from '../templates/truth.js';

const SPEC = { types: { id: 'string', vars: 'mapping', timeout: 'int' }, required: ['id'] } as const;

export const fixModule: TaskModule = {
  name: 'fix',
  parse: (raw, at) => checkArgs('fix', typeof raw === 'string' ? { id: raw } : raw, SPEC, at),
  validate(args, v) {
    const id = String(args['id']);
    if (!v.catalog.hasFix(id)) throw new PlaybookError(`unknown fix '${id}'`, v.at.keyLoc('id'));
  },
  mutates: () => true,
  async run(ctx, args) {
    const id = str(args, 'id') ?? '';
    const facts = await ctx.facts();
    const vars = isMapping(args['vars']) ? { ...ctx.vars, ...args['vars'] } : ctx.vars;
    const plan = ctx.catalog.planFix(id, facts, ctx.engine.resolvedView(vars));
    const timeout = int(args, 'timeout');
    return runFixPlan(ctx, plan, timeout ? { ...DEFAULT_DETACHED, timeoutMs: timeout * 1000 } : DEFAULT_DETACHED);
  },
};
