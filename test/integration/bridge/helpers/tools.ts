/**
 * Running the network stacks' own validators. A missing validator is a test FAILURE naming the
 * Debian package that provides it (CI installs packages from .ci/install-deps), never a skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderBridgeConfig, validateBridgeParams } from '../../../../src/bridge/index.js';
import type { BridgeConfig, BridgeStack } from '../../../../src/bridge/types.js';

const SEARCH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', '/lib/systemd', '/usr/lib/systemd'];

/**
 * Absolute path of `tool`, or an Error naming the Debian package to install. `calledBy` names the
 * program under test that runs `tool` itself (ifup runs dhclient): such a program only "recommends"
 * its helper, so `--no-install-recommends` leaves it out and the caller fails with an unrelated
 * message. Checking up front turns that into "install isc-dhcp-client".
 */
export function requireTool(tool: string, debianPackage: string, calledBy?: string): string {
  const found = tool.startsWith('/') ? (existsSync(tool) ? tool : null) : SEARCH.map((d) => path.join(d, tool)).find((p) => existsSync(p));
  if (!found) {
    const why = calledBy ? ` (${calledBy} runs it, and only recommends the package)` : '';
    throw new Error(`${tool} not found${why}: install the Debian package ${debianPackage} (add it to .ci/install-deps)`);
  }
  return found;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with a bounded timeout; never throws for a non-zero exit. */
export function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; cwd?: string } = {}): Ran {
  const r = spawnSync(cmd, args, {
    input: opts.input,
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 20_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Renders `stack` for host vars `vars` (host "hv1"). */
export function render(stack: BridgeStack, vars: Record<string, unknown>): BridgeConfig {
  return renderBridgeConfig(stack, validateBridgeParams(vars, 'hv1'));
}

/** A temporary directory removed by the returned cleanup (call it from afterAll / finally). */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `fleet-bridge-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs a bash script as root in fresh network, mount and PID namespaces. Everything it creates
 * (links, mounts, daemons) vanishes when it exits: --kill-child takes the PID namespace down even
 * when the timeout kills unshare. Nothing it does is visible on the host's network.
 */
export function inPrivateNamespaces(script: string, timeoutMs = 30_000): Ran {
  const unshare = requireTool('unshare', 'util-linux');
  return run(
    unshare,
    [
      '--net',
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--mount-proc',
      '--propagation',
      'private',
      'bash',
      '-euo',
      'pipefail',
      '-c',
      script,
    ],
    {
      timeoutMs,
    },
  );
}

/** Shell single-quoting for paths interpolated into the namespace scripts. */
export const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
