/**
 * Kernel and initramfs for real QEMU guests in the simulated fleet, built once and cached: Debian's
 * linux-image .deb (fetched with apt-get download, unpacked with dpkg-deb, never installed) and an
 * initramfs of busybox-static, the virtio-net module chain and init-script.ts. Needs apt sources,
 * dpkg-deb and busybox-static (.ci/install-deps); fetching is the slow part (~70 MB), hence the cache.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { GUEST_INIT, VIRTIO_NET_CHAIN } from './init-script.js';

const run = promisify(execFile);

export interface GuestAssets {
  readonly kernel: string;
  readonly initrd: string;
  readonly version: string;
}

/** Where the assets are kept between test runs (CI may cache this directory). */
export const CACHE_DIR = process.env['FLEET_GUEST_CACHE'] ?? '/var/cache/fleet-test-guest';

/** The kernel package linux-image-amd64 points at, e.g. linux-image-6.1.0-57-amd64. */
async function kernelPackage(): Promise<string> {
  const { stdout } = await run('apt-cache', ['depends', 'linux-image-amd64']);
  const m = /Depends: (linux-image-[0-9][^\s]*)/.exec(stdout);
  if (!m?.[1]) throw new Error('guest assets: apt-cache depends linux-image-amd64 names no kernel package');
  return m[1];
}

function findFile(dir: string, name: string): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const f = findFile(p, name);
      if (f) return f;
    } else if (e.name === name) return p;
  }
  return undefined;
}

/** Returns the cached kernel and initramfs, building them first if needed (atomic: built aside, then renamed). */
export async function guestAssets(): Promise<GuestAssets> {
  const pkg = await kernelPackage();
  const version = pkg.replace(/^linux-image-/, '');
  // The initramfs is keyed by its /init and module list too: a changed /init must not boot from a stale cache.
  const initKey = createHash('sha256').update(GUEST_INIT).update(VIRTIO_NET_CHAIN.join(' ')).digest('hex').slice(0, 12);
  const dir = path.join(CACHE_DIR, `${version}-${initKey}`);
  const assets = { kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.gz'), version };
  if (existsSync(assets.kernel) && existsSync(assets.initrd)) return assets;

  mkdirSync(CACHE_DIR, { recursive: true });
  const work = mkdtempSync(path.join(CACHE_DIR, '.build-'));
  try {
    // apt-get download writes into the cwd; as root it warns that _apt cannot read it (harmless).
    await run('apt-get', ['download', '-q', pkg], { cwd: work });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`guest assets: apt-get download ${pkg} left no .deb`);
    const root = path.join(work, 'root');
    await run('dpkg-deb', ['-x', path.join(work, deb), root]);
    const out = path.join(work, 'out');
    mkdirSync(out);
    copyFileSync(path.join(root, 'boot', `vmlinuz-${version}`), path.join(out, 'vmlinuz'));

    const initrd = path.join(work, 'initrd');
    for (const d of ['bin', 'lib/modules', 'proc', 'sys', 'dev']) mkdirSync(path.join(initrd, d), { recursive: true });
    copyFileSync('/bin/busybox', path.join(initrd, 'bin/busybox'));
    for (const m of VIRTIO_NET_CHAIN) {
      const ko = findFile(path.join(root, 'lib/modules'), `${m}.ko`);
      if (!ko) throw new Error(`guest assets: ${m}.ko not in ${pkg}`);
      copyFileSync(ko, path.join(initrd, 'lib/modules', `${m}.ko`));
    }
    writeFileSync(path.join(initrd, 'init'), GUEST_INIT, { mode: 0o755 });
    // busybox's own cpio: no cpio package needed.
    await run('sh', ['-c', 'find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > ../out/initrd.gz'], { cwd: initrd });
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
    return assets;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** For messages: what a machine without the packages lacks. */
export function missingTools(): string[] {
  const need = ['/usr/bin/qemu-system-x86_64', '/bin/busybox', '/usr/bin/dpkg-deb', '/usr/bin/apt-get'];
  return need.filter((p) => !existsSync(p));
}
