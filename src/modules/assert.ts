/** `assert`: fails the task unless every expression in `that` is true. */
import { PlaybookError } from '../core/errors.js';
import { bool, checkArgs, str } from './args.js';
import type { TaskModule } from './types.js';

const SPEC = {
  types: { that: 'any', fail_msg: 'string', msg: 'string', success_msg: 'string', quiet: 'bool' },
  required: ['that'],
} as const;

/** `that` as a list of expressions (a single string or scalar is one expression). */
export function conditions(that: unknown): (string | boolean | number)[] {
  const list = Array.isArray(that) ? that : [that];
  return list.map((c) => {
    if (typeof c === 'string' || typeof c === 'boolean' || typeof c === 'number') return c;
    throw new Error('assert: each condition must be a string expression');
  });
}

export const assertModule: TaskModule = {
  name: 'assert',
  expressionArgs: ['that'],
  parse(raw, at) {
    const args = checkArgs('assert', raw, SPEC, at);
    try {
      conditions(args['that']);
    } catch (err) {
      throw new PlaybookError((err as Error).message, at.keyLoc('that'));
    }
    return args;
  },
  mutates: () => false,
  async run(ctx, args) {
    for (const c of conditions(args['that'])) {
      const expr = ctx.engine.expression(c, ctx.task.loc);
      if (!ctx.engine.test(expr, ctx.vars, ctx.task.loc)) {
        const msg = str(args, 'fail_msg') ?? str(args, 'msg') ?? `Assertion failed: ${String(c)}`;
        return { changed: false, failed: true, msg, data: { assertion: String(c), evaluated_to: false } };
      }
    }
    return { changed: false, msg: bool(args, 'quiet', false) ? '' : (str(args, 'success_msg') ?? 'All assertions passed') };
  },
};
