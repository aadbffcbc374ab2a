/**
 * libvirt validates the network XML: `virsh -c test:///default net-define --validate` checks it
 * against libvirt's RNG schema and runs libvirt's own network parser (which, e.g., refuses
 * stp/delay on a forward-mode-bridge network). The test driver keeps everything in memory.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { casePairs } from '../../fixtures/bridge/cases.js';
import { render, requireTool, run, tempDir } from './helpers/tools.js';

const tmp = tempDir('libvirt');
afterAll(() => tmp.cleanup());

/** Defines the XML in a fresh test driver and dumps it back (one virsh process, so one driver). */
function defineAndDump(name: string, xml: string, netName: string) {
  const virsh = requireTool('virsh', 'libvirt-clients');
  const file = path.join(tmp.dir, `${name}.xml`);
  writeFileSync(file, xml);
  return run(virsh, ['-c', 'test:///default', `net-define --validate ${file} ; net-dumpxml ${netName}`]);
}

describe('virsh net-define --validate accepts every libvirt rendering', () => {
  const cases = casePairs().filter((p) => p.stack === 'libvirt');

  it.each(cases.map((p) => [p.c.name, p.c.vars] as const))('%s', (name, vars) => {
    const cfg = render('libvirt', vars);
    const r = defineAndDump(name, cfg.files[0]!.content, 'host-bridge');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain("<forward mode='bridge'/>");
    expect(r.stdout).toContain(`<bridge name='${String(vars.bridge)}'/>`);
    // forward mode bridge must stay a bridge network: no <interface> (that is macvtap), no IP.
    expect(r.stdout).not.toMatch(/<interface|<ip /);
  });

  it('refuses invalid XML (the check can fail)', () => {
    const good = render('libvirt', { bridge: 'br0', uplink: 'eno1' }).files[0]!.content;
    const stp = defineAndDump('stp', good.replace("<bridge name='br0'/>", "<bridge name='br0' stp='on'/>"), 'host-bridge');
    expect(stp.code).not.toBe(0);
    expect(stp.stderr).toContain('stp');
    const schema = defineAndDump('schema', good.replace("mode='bridge'", "mode='brdge'"), 'host-bridge');
    expect(schema.code).not.toBe(0);
  });

  it('uses the libvirt_network var as the network name', () => {
    const cfg = render('libvirt', { bridge: 'vmbr0', uplink: 'eno1', libvirt_network: 'lan-vms' });
    const r = defineAndDump('named', cfg.files[0]!.content, 'lan-vms');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<name>lan-vms</name>');
    expect(cfg.files[0]!.path).toBe('/var/lib/fleet/libvirt/lan-vms.xml');
  });
});
