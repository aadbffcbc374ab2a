/** The task modules a playbook can use, by name. */
import { assertModule } from './assert.js';
// Commit-confirmed bridge apply.
import { bridgeApplyModule } from './bridge-apply.js';
import { checkModule } from './check.js';
import { commandModule } from './command.js';
import { copyModule } from './copy.js';
import { debugModule } from './debug.js';
import { failModule } from './fail.js';
import { fixModule } from './fix.js';
import { setFactModule } from './set-fact.js';
import { shellModule } from './shell.js';
import { sysctlModule } from './sysctl.js';
import { templateModule } from './template.js';
import type { TaskModule } from './types.js';

export const MODULES: ReadonlyMap<string, TaskModule> = new Map(
  [
    commandModule,
    shellModule,
    copyModule,
    templateModule,
    sysctlModule,
    assertModule,
    failModule,
    debugModule,
    setFactModule,
    checkModule,
    fixModule,
    bridgeApplyModule,
  ].map((m) => [m.name, m]),
);

/** Ansible's fully-qualified names for the same modules. */
export const MODULE_ALIASES: Readonly<Record<string, string>> = {
  'ansible.builtin.command': 'command',
  'ansible.builtin.shell': 'shell',
  'ansible.builtin.copy': 'copy',
  'ansible.builtin.template': 'template',
  'ansible.posix.sysctl': 'sysctl',
  'ansible.builtin.assert': 'assert',
  'ansible.builtin.fail': 'fail',
  'ansible.builtin.debug': 'debug',
  'ansible.builtin.set_fact': 'set_fact',
};

export type { TaskModule, ModuleContext, ModuleResult, CheckCatalog, FixPlan, RunMode } from './types.js';
