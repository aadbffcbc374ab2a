/** The play and task keywords fleet understands, and the Ansible ones it knowingly does not. */

export const PLAY_KEYWORDS = [
  'name',
  'hosts',
  'vars',
  'vars_files',
  'gather_facts',
  'serial',
  'max_fail_percentage',
  // Unreachable hosts get their own limit (they are not failures of the change).
  'max_unreachable_percentage',
  'any_errors_fatal',
  'tasks',
  'handlers',
  'become',
  'become_user',
  'tags',
  'fleet_checks',
  // A remediation play: its changes are its purpose, so it runs them without --fix (see README).
  'fix',
] as const;

/** Keywords every task and block accepts. */
const COMMON = ['name', 'when', 'tags', 'vars', 'become', 'become_user', 'ignore_errors', 'check_mode', 'no_log'] as const;

export const TASK_KEYWORDS: readonly string[] = [
  ...COMMON,
  'register',
  'loop',
  'with_items',
  'loop_control',
  'failed_when',
  'changed_when',
  'notify',
  'timeout',
  'until',
  'retries',
  'delay',
  'args',
];

export const BLOCK_KEYWORDS: readonly string[] = [...COMMON, 'block', 'rescue', 'always'];

export const HANDLER_KEYWORDS: readonly string[] = [...TASK_KEYWORDS, 'listen'];

export const LOOP_CONTROL_KEYS = ['label', 'loop_var', 'index_var'] as const;

/** Ansible features users will try; a clear "not supported" beats "unknown keyword". */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  roles: 'roles are not supported by fleet; put the tasks in the play',
  pre_tasks: 'pre_tasks are not supported by fleet; use tasks',
  post_tasks: 'post_tasks are not supported by fleet; use tasks',
  strategy: "strategy is not configurable: fleet lets hosts progress independently (like Ansible's free strategy)",
  import_playbook: 'import_playbook is not supported by fleet',
  include_tasks: 'include_tasks is not supported by fleet',
  import_tasks: 'import_tasks is not supported by fleet',
  include_role: 'include_role is not supported by fleet',
  import_role: 'import_role is not supported by fleet',
  delegate_to: 'delegate_to is not supported by fleet (every task runs on its own host)',
  local_action: 'local_action is not supported by fleet',
  run_once: 'run_once is not supported by fleet',
  async: 'async is not supported by fleet (fixes that may cut the connection run detached automatically)',
  poll: 'poll is not supported by fleet',
  environment: 'environment is not supported by fleet; set variables in the shell command',
  connection: 'connection is set in the inventory (ansible_connection), not in the playbook',
  remote_user: 'remote_user is set in the inventory (ansible_user), not in the playbook',
  throttle: 'throttle is not supported by fleet; use serial or --forks',
  order: 'order is not supported by fleet',
  vars_prompt: 'vars_prompt is not supported by fleet; use -e',
  force_handlers: 'force_handlers is not supported by fleet',
  meta: 'meta tasks are not supported by fleet (handlers run at the end of each play)',
  with_dict: 'with_dict is not supported by fleet; use loop with dict2items',
  with_fileglob: 'with_fileglob is not supported by fleet',
  with_nested: 'with_nested is not supported by fleet',
  with_together: 'with_together is not supported by fleet',
  with_sequence: 'with_sequence is not supported by fleet; use loop with range()',
  with_subelements: 'with_subelements is not supported by fleet',
  action: "'action:' is not supported by fleet; write the module name as the key",
};
