/** `set_fact`: sets variables for this host for the rest of the run (above play vars, below -e). */
import { PlaybookError } from '../core/errors.js';
import { isMapping } from '../templates/truth.js';
import type { TaskModule } from './types.js';

export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const setFactModule: TaskModule = {
  name: 'set_fact',
  parse(raw, at) {
    if (!isMapping(raw) || Object.keys(raw).length === 0)
      throw new PlaybookError('set_fact needs a mapping of variable names to values', at.loc);
    for (const k of Object.keys(raw)) {
      if (k !== 'cacheable' && !VAR_NAME.test(k)) throw new PlaybookError(`set_fact: '${k}' is not a valid variable name`, at.keyLoc(k));
    }
    return { ...raw };
  },
  mutates: () => false,
  async run(_ctx, args) {
    const { cacheable: _ignored, ...facts } = args;
    return { changed: false, facts, msg: `set ${Object.keys(facts).join(', ')}`, data: { ansible_facts: facts } };
  },
};
