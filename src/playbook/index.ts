/** The playbook language and its executor: load + validate before connecting, then run inside a run. */
export { loadPlaybook, parsePlaybook, type LoadOptions } from './load.js';
export {
  runPlaybook,
  runModeOf,
  playbookHosts,
  fleetChecksOf,
  type RunPlaybookOptions,
  type PlaybookResult,
  type HostReport,
} from './runner.js';
export { builtinCatalog } from './catalog.js';
export { serialBatches, batchSize } from './serial.js';
export { maxFailExceeded } from './failure-policy.js';
export { tagSelected } from './tags.js';
export type { Playbook, Play, TaskNode, ModuleTask, BlockTask } from './types.js';
export type { CheckCatalog, RunMode, FixPlan } from '../modules/types.js';
