/**
 * The task modules a playbook can use, by name: the built-in modules of modules/, and remediation's
 * bridge_apply plugged in the same way (a module is a plugin: remediation knows the module contract,
 * the playbook engine knows only this registry).
 */
import { assertModule } from '../modules/assert.js';
import { checkModule } from '../modules/check.js';
import { commandModule } from '../modules/command.js';
import { copyModule } from '../modules/copy.js';
import { debugModule } from '../modules/debug.js';
import { failModule } from '../modules/fail.js';
import { fixModule } from '../modules/fix.js';
import { setFactModule } from '../modules/set-fact.js';
import { shellModule } from '../modules/shell.js';
import { sysctlModule } from '../modules/sysctl.js';
import { templateModule } from '../modules/template.js';
import { bridgeApplyModule } from '../remediation/bridge-apply-module.js';
import type { TaskModule } from '../modules/types.js';

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
