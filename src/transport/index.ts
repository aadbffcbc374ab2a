/** The transport layer: how fleet runs commands on hosts (SSH via ssh2, or locally). */
export { createSshTransport, type SshTransportOptions } from './ssh.js';
export { createLocalTransport } from './local.js';
export { classifyError, describeTarget, type ClassifiedError } from './errors.js';
export { defaultKnownHostsFiles, KnownHostsStore } from './known-hosts-store.js';
export { fingerprintSha256, knownHostsName, parseKnownHosts, hashHostName } from './known-hosts.js';
export { parseProxyJump, type JumpHop } from './proxy-jump.js';
export { DEFAULT_OUTPUT_CAP_BYTES } from './output.js';
export * from './types.js';
