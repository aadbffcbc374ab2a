/** Parses the output of probeScript: runtime snapshot, current config files, host capabilities. */
import type { StackFacts } from '../bridge/index.js';
import { MARK } from './host-scripts.js';
import { parseRuntime, type RuntimeSnapshot } from './runtime.js';

export interface CurrentFile {
  /** null = absent. */
  readonly content: string | null;
  readonly mode: number | null;
}

export interface Probe {
  readonly runtime: RuntimeSnapshot;
  readonly files: readonly CurrentFile[];
  readonly switchMode: 'systemd' | 'setsid';
  /** Commands present: setsid, ping, arping, nmcli. */
  readonly has: ReadonlySet<string>;
  readonly stackFacts: StackFacts;
}

export function parseProbe(stdout: string, fileCount: number): Probe {
  const sections = new Map<string, string>();
  let name: string | undefined;
  let buf: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      if (name !== undefined) sections.set(name, buf.join('\n'));
      name = line.slice(MARK.length + 1).trim();
      buf = [];
    } else buf.push(line);
  }
  if (name !== undefined) sections.set(name, buf.join('\n'));
  if (!sections.has('end')) throw new Error('host probe output is incomplete (no end marker)');
  const runtime = parseRuntime(sections.get('runtime') ?? '');
  const files: CurrentFile[] = [];
  for (let i = 0; i < fileCount; i++) {
    const [first, second] = (sections.get(`file ${i}`) ?? '').split('\n');
    if (!first || first.trim() === 'absent') files.push({ content: null, mode: null });
    else files.push({ mode: Number.parseInt(first.trim(), 8), content: Buffer.from((second ?? '').trim(), 'base64').toString('utf8') });
  }
  const env = (sections.get('env') ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const values = (key: string) => env.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  const has = new Set(values('has'));
  const pkgs = values('pkg');
  return {
    runtime,
    files,
    switchMode: values('switch')[0] === 'systemd' ? 'systemd' : 'setsid',
    has,
    stackFacts: {
      activeUnits: values('unit'),
      netplanFiles: values('netplan'),
      ifupdownFlavor: pkgs.includes('ifupdown2') ? 'ifupdown2' : pkgs.includes('ifupdown') ? 'classic' : null,
      hasNmcli: has.has('nmcli'),
      proxmox: has.has('pve'),
      interfacesSourcesD: values('sources_d').length > 0,
    },
  };
}
