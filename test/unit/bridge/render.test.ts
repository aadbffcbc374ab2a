/** renderBridgeConfig beyond the goldens: stack limits, stable ids, quoting, no template leftovers. */
import { describe, expect, it } from 'vitest';
import { BRIDGE_STACKS, renderBridgeConfig, validateBridgeParams } from '../../../src/bridge/index.js';
import { casePairs } from '../../fixtures/bridge/cases.js';

const params = (vars: Record<string, unknown>) => validateBridgeParams({ bridge: 'br0', uplink: 'eno1', ...vars }, 'hv1');

describe('renderBridgeConfig', () => {
  it('refuses a VLAN-aware bridge on netplan, naming the host', () => {
    expect(() => renderBridgeConfig('netplan', params({ vlan_aware: true }))).toThrow(
      /^host hv1: netplan cannot express a VLAN-aware bridge/,
    );
  });

  it('renders every stack for every case without leftovers of the template language', () => {
    for (const { stack, c } of casePairs()) {
      for (const f of renderBridgeConfig(stack, validateBridgeParams(c.vars, 'hv1')).files) {
        expect(f.content, `${stack}/${c.name} ${f.path}`).not.toMatch(/\{\{|\}\}|\{%|%\}|undefined|null|\[object/);
        expect(f.content.endsWith('\n')).toBe(true);
        // No option line ends without a value (e.g. "dns-search " from an empty list).
        expect(f.content, `${stack}/${c.name} ${f.path}`).not.toMatch(/^(?!\s*#).*[=:\-\w] $/m);
      }
    }
  });

  it('gives NetworkManager profiles stable UUIDs that differ per bridge/port', () => {
    const a = renderBridgeConfig('networkmanager', params({ dhcp: true }));
    const b = renderBridgeConfig('networkmanager', params({ dhcp: true, mtu: 9000 }));
    const uuid = (s: string) => /^uuid=(.+)$/m.exec(s)?.[1];
    expect(uuid(a.files[0]!.content)).toBe(uuid(b.files[0]!.content));
    expect(uuid(a.files[0]!.content)).not.toBe(uuid(a.files[1]!.content));
    expect(uuid(a.files[0]!.content)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const other = renderBridgeConfig('networkmanager', validateBridgeParams({ bridge: 'br1', uplink: 'eno1' }, 'hv1'));
    expect(uuid(other.files[0]!.content)).not.toBe(uuid(a.files[0]!.content));
    // The port points at the bridge profile's UUID.
    expect(a.files[1]!.content).toContain(`master=${uuid(a.files[0]!.content)}`);
  });

  it('uses the file modes each manager expects (NetworkManager and netplan: 0600)', () => {
    const modes = Object.fromEntries(BRIDGE_STACKS.map((s) => [s, renderBridgeConfig(s, params({})).files.map((f) => f.mode.toString(8))]));
    expect(modes).toEqual({
      ifupdown: ['644'],
      'ifupdown-interfaces-d': ['644'],
      ifupdown2: ['644'],
      netplan: ['600'],
      networkmanager: ['600', '600'],
      networkd: ['644', '644', '644'],
      libvirt: ['644'],
    });
  });

  it('orders the networkd runtime commands so the kernel accepts them', () => {
    const off = renderBridgeConfig('networkd', params({})).reload;
    expect(off.indexOf('ip link set dev br0 type bridge stp_state 0')).toBeLessThan(
      off.indexOf('ip link set dev br0 type bridge forward_delay 0'),
    );
    const on = renderBridgeConfig('networkd', params({ stp: true, forward_delay: 5 })).reload;
    expect(on.indexOf('ip link set dev br0 type bridge forward_delay 500')).toBeLessThan(
      on.indexOf('ip link set dev br0 type bridge stp_state 1'),
    );
    expect(on[0]).toBe('networkctl reload');
    expect(on.at(-1)).toBe('networkctl reconfigure eno1 br0');
  });

  it('runs ifdown only for interfaces ifupdown has up, before the classic files are replaced', () => {
    const c = renderBridgeConfig('ifupdown', params({}));
    expect(c.preWrite).toEqual([
      '! ifquery --state br0 >/dev/null 2>&1 || ifdown br0',
      '! ifquery --state eno1 >/dev/null 2>&1 || ifdown eno1',
    ]);
    expect(c.reload).toEqual(['ifup br0']);
  });
});
