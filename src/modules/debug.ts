/** `debug`: shows a message (`msg`, a template) or a variable (`var`, an expression) in the step's output. */
import { PlaybookError } from '../core/errors.js';
import { checkArgs } from './args.js';
import type { TaskModule } from './types.js';

const SPEC = { types: { msg: 'any', var: 'string', verbosity: 'int' }, exclusive: [['msg', 'var']] } as const;

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

export const debugModule: TaskModule = {
  name: 'debug',
  expressionArgs: ['var'],
  parse(raw, at) {
    const args = checkArgs('debug', raw ?? {}, SPEC, at);
    if (args['var'] !== undefined && typeof args['var'] !== 'string')
      throw new PlaybookError('debug: var must be a variable name or expression', at.keyLoc('var'));
    return args;
  },
  mutates: () => false,
  async run(ctx, args) {
    if (typeof args['var'] === 'string') {
      const name = args['var'];
      const value = ctx.engine.evaluate(ctx.engine.expression(name, ctx.task.loc), ctx.vars, ctx.task.loc);
      return { changed: false, msg: `${name}: ${show(value)}`, stdout: `${name}: ${show(value)}`, data: { [name]: value } };
    }
    const msg = args['msg'] === undefined ? 'Hello world!' : show(args['msg']);
    return { changed: false, msg, stdout: msg };
  },
};
