/** Ansible-compatible inventory: loading, host patterns, connection settings and ansible-inventory views. */
export { loadInventory, type LoadedInventory, type LoadOptions } from './load.js';
export { selectHosts, applyLimit, splitHostPattern } from './patterns.js';
export { connectionSpec } from './connection.js';
export { parseExtraVars } from './extra-vars.js';
export { inventoryListJson, inventoryHost, inventoryGraph, type OutputOptions } from './list-output.js';
export { hostMagicVars, groupsMagicVar } from './magic-vars.js';
export { isSecretVar, maskSecretVars, declaredSecretVars, inventorySecretValues, SECRET_LIST_VAR } from './secrets.js';
export { parseIniValue } from './ini.js';
