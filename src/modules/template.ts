/**
 * `template`: renders a nunjucks (Jinja2 syntax) file from the playbook's templates/ directory with
 * the task's variables and puts the result at `dest`. The file is compiled when the playbook loads.
 */
import { hasTemplate } from '../templates/lazy.js';
import { str } from './args.js';
import { FILE_ARG_TYPES, parseFileArgs, fileWanted } from './file-args.js';
import { putFile } from './put-file.js';
import type { TaskModule } from './types.js';

const SPEC = { types: { ...FILE_ARG_TYPES, src: 'string' }, required: ['src', 'dest'] } as const;

export const templateModule: TaskModule = {
  name: 'template',
  parse: parseFileArgs('template', SPEC),
  validate(args, v) {
    const src = args['src'];
    if (typeof src === 'string' && !hasTemplate(src)) v.engine.checkFile(src, v.at.keyLoc('src'));
  },
  mutates: () => true,
  async run(ctx, args) {
    const src = str(args, 'src') ?? '';
    const text = ctx.engine.renderFile(src, ctx.vars);
    return putFile(ctx, fileWanted(args, Buffer.from(text, 'utf8')));
  },
};
