/** `copy`: puts `content` or a local `src` file at `dest` (see put-file.ts for how). */
import { readFileSync } from 'node:fs';
import { PlaybookError } from '../core/errors.js';
import { hasTemplate } from '../templates/lazy.js';
import { str } from './args.js';
import { FILE_ARG_TYPES, parseFileArgs, fileWanted, findLocalFile } from './file-args.js';
import { putFile } from './put-file.js';
import type { TaskModule } from './types.js';

const SPEC = {
  types: { ...FILE_ARG_TYPES, content: 'any', src: 'string' },
  required: ['dest'],
  oneOf: ['content', 'src'],
  exclusive: [['content', 'src']],
} as const;

export const copyModule: TaskModule = {
  name: 'copy',
  parse: parseFileArgs('copy', SPEC),
  validate(args, v) {
    const src = args['src'];
    if (typeof src === 'string' && !hasTemplate(src) && !findLocalFile(v.playbookDir, src)) {
      throw new PlaybookError(`copy: src '${src}' not found (looked in ${v.playbookDir}/files and ${v.playbookDir})`, v.at.keyLoc('src'));
    }
  },
  mutates: () => true,
  async run(ctx, args) {
    let content: Buffer;
    if (args['content'] !== undefined) {
      const c = args['content'];
      // Ansible writes non-string content (a mapping) as JSON.
      content = Buffer.from(typeof c === 'string' ? c : JSON.stringify(c), 'utf8');
    } else {
      const src = str(args, 'src') ?? '';
      const file = findLocalFile(ctx.playbookDir, src);
      if (!file) throw new Error(`src '${src}' not found (looked in ${ctx.playbookDir}/files and ${ctx.playbookDir})`);
      content = readFileSync(file);
    }
    return putFile(ctx, fileWanted(args, content));
  },
};
