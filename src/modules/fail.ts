/** `fail`: fails the task with a message (usually under `when`). */
import { checkArgs, str } from './args.js';
import type { TaskModule } from './types.js';

export const failModule: TaskModule = {
  name: 'fail',
  parse: (raw, at) => checkArgs('fail', raw ?? {}, { types: { msg: 'any' } }, at),
  mutates: () => false,
  async run(_ctx, args) {
    return { changed: false, failed: true, msg: str(args, 'msg') ?? 'Failed as requested from task' };
  },
};
