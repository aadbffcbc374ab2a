/** validateBridgeParams: normalization of inventory values and one clear error for each bad value. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { validateBridgeParams } from '../../../src/bridge/index.js';

const base = { bridge: 'br0', uplink: 'eno1' };
const ok = (vars: Record<string, unknown>) => validateBridgeParams({ ...base, ...vars }, 'hv1');
/** The error message for `vars`, or a marker when nothing was thrown. */
function problem(vars: Record<string, unknown>, host = 'hv1'): string {
  try {
    validateBridgeParams({ ...base, ...vars }, host);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  return '(accepted)';
}

describe('validateBridgeParams: normalization', () => {
  it('applies the defaults: STP off, forward_delay 0, no VLAN filtering, L2-only, networkd renderer', () => {
    expect(ok({})).toEqual({
      host: 'hv1',
      bridge: 'br0',
      uplink: 'eno1',
      uplink_mac: null,
      bridge_mac: null,
      address: null,
      dhcp: false,
      gateway: null,
      dns: [],
      search: [],
      mtu: null,
      stp: false,
      forward_delay: 0,
      vlan_aware: false,
      vids: [],
      ipv6: null,
      netplan_renderer: 'networkd',
      libvirt_network: 'host-bridge',
    });
  });

  it('reads INI-style strings: booleans, numbers, comma/space lists', () => {
    const p = ok({
      dhcp: 'yes',
      mtu: '9000',
      stp: 'on',
      forward_delay: '4',
      dns: '192.0.2.53, 2001:DB8::53',
      search: 'a.example b.example',
    });
    expect([p.dhcp, p.mtu, p.stp, p.forward_delay]).toEqual([true, 9000, true, 4]);
    expect(p.dns).toEqual(['192.0.2.53', '2001:db8::53']);
    expect(p.search).toEqual(['a.example', 'b.example']);
  });

  it('uses the uplink MAC for the bridge unless bridge_mac is given, lower-cased', () => {
    expect(ok({ uplink_mac: '52:54:00:AB:CD:EF' }).bridge_mac).toBe('52:54:00:ab:cd:ef');
    expect(ok({ uplink_mac: '52:54:00:ab:cd:ef', bridge_mac: '52-54-00-00-00-01' }).bridge_mac).toBe('52:54:00:00:00:01');
  });

  it('normalizes vids and defaults them to 2-4094 on a VLAN-aware bridge', () => {
    expect(ok({ vlan_aware: true }).vids).toEqual(['2-4094']);
    expect(ok({ vlan_aware: true, vids: [10, '100-200', ' 300 '] }).vids).toEqual(['10', '100-200', '300']);
    expect(ok({ vlan_aware: 'true', vids: '10,20 30-40' }).vids).toEqual(['10', '20', '30-40']);
  });

  it('accepts IPv6 as auto/dhcp, a CIDR with ipv6_gateway, or a mapping; link-local gateways too', () => {
    expect(ok({ ipv6: 'auto' }).ipv6).toEqual({ mode: 'auto', address: null, gateway: null });
    expect(ok({ ipv6: 'dhcp' }).ipv6).toEqual({ mode: 'dhcp', address: null, gateway: null });
    expect(ok({ ipv6: '2001:DB8::10/64', ipv6_gateway: '2001:db8::1' }).ipv6).toEqual({
      mode: 'static',
      address: '2001:db8::10/64',
      gateway: '2001:db8::1',
    });
    expect(ok({ ipv6: { address: '2001:db8::10/64', gateway: 'fe80::1' } }).ipv6?.gateway).toBe('fe80::1');
  });

  it('allows STP with 2 and 30 s, and forward_delay up to 30 s with STP off', () => {
    expect(ok({ stp: true, forward_delay: 2 }).forward_delay).toBe(2);
    expect(ok({ stp: true, forward_delay: 30 }).forward_delay).toBe(30);
    expect(ok({ forward_delay: 15 }).forward_delay).toBe(15);
  });

  it('accepts /31 and /32 addresses (no network/broadcast address there)', () => {
    expect(ok({ address: '192.0.2.0/31', gateway: '192.0.2.1' }).address).toBe('192.0.2.0/31');
    expect(ok({ address: '192.0.2.7/32' }).address).toBe('192.0.2.7/32');
  });
});

describe('validateBridgeParams: bad values name host and variable', () => {
  it.each([
    [{ address: '192.0.2.10' }, "bridge var 'address' must be an address with prefix length"],
    [{ address: '192.0.2.300/24' }, "'address' is not a valid IP address"],
    [{ address: '192.0.2.010/24' }, "'address' is not a valid IP address"],
    [{ address: '192.0.2.10/33' }, "'address' has prefix length out of range 1-32"],
    [{ address: '192.0.2.0/24' }, "'address' is the network address"],
    [{ address: '192.0.2.255/24' }, "'address' is the broadcast address"],
    [{ address: '2001:db8::1/64' }, "'address' must be an IPv4 CIDR"],
    [{ address: '192.0.2.10/24', dhcp: true }, "'address' cannot be combined with dhcp"],
    [{ address: '192.0.2.10/24', gateway: '198.51.100.1' }, "'gateway' is outside the subnet of address 192.0.2.10/24"],
    [{ address: '192.0.2.10/24', gateway: '192.0.2.10' }, "'gateway' must not be the bridge's own address"],
    [{ dhcp: true, gateway: '192.0.2.1' }, "'gateway' must not be set with dhcp"],
    [{ gateway: '192.0.2.1' }, "'gateway' needs a static address"],
    [{ dhcp: 'maybe' }, "'dhcp' must be a boolean"],
    [{ mtu: 100 }, "'mtu' must be between 576 and 9216"],
    [{ mtu: 65536 }, "'mtu' must be between 576 and 9216"],
    [{ mtu: '1500.5' }, "'mtu' must be a whole number"],
    [{ mtu: 1000, ipv6: 'auto' }, "'mtu' must be between 1280 and 9216 (IPv6 needs at least 1280)"],
    [{ stp: true }, "'forward_delay' must be set (2-30 s) when stp is on"],
    [{ stp: true, forward_delay: 0 }, "'forward_delay' must be 2-30 s with stp on"],
    [{ stp: true, forward_delay: 31 }, "'forward_delay' must be 2-30 s with stp on"],
    [{ forward_delay: 45 }, "'forward_delay' must be 0-30 s"],
    [{ forward_delay: -1 }, "'forward_delay' must be a whole number"],
    [{ vids: '10' }, "'vids' needs vlan_aware: true"],
    [{ vlan_aware: true, vids: '0' }, "'vids' has 0 outside 1-4094"],
    [{ vlan_aware: true, vids: '4095' }, "'vids' has 4095 outside 1-4094"],
    [{ vlan_aware: true, vids: '200-100' }, "'vids' has range 200-100 with its end below its start"],
    [{ vlan_aware: true, vids: '10,5-12' }, "'vids' has overlapping entries"],
    [{ vlan_aware: true, vids: 'ten' }, "'vids' has an item that is not a VLAN id or range"],
    [{ vlan_aware: true, vids: [] }, "'vids' must be a list of VLAN ids"],
    [{ dns: ['192.0.2.53'] }, "'dns' needs an address, dhcp or ipv6 on the bridge"],
    [{ dhcp: true, dns: ['dns.example'] }, "'dns' must list IP addresses"],
    [{ dhcp: true, search: ['-bad.example'] }, "'search' must list domain names"],
    [{ ipv6: '2001:db8::10' }, "'ipv6' address must be an address with prefix length"],
    [{ ipv6: '192.0.2.10/24' }, "'ipv6' address must be an IPv6 CIDR"],
    [{ ipv6: 'fe80::1%eth0/64' }, "'ipv6' address is not a valid IP address"],
    [{ ipv6: '2001:db8::10/64', ipv6_gateway: '2001:db9::1' }, "'ipv6_gateway' is neither inside 2001:db8::10/64 nor link-local"],
    [{ ipv6: 'auto', ipv6_gateway: 'fe80::1' }, "'ipv6_gateway' must not be set with ipv6 auto"],
    [{ ipv6: { adress: '2001:db8::10/64' } }, "'ipv6' has unknown key 'adress'"],
    [{ ipv6_gateway: 'fe80::1' }, "'ipv6_gateway' needs a static ipv6 address"],
    [{ uplink_mac: '01:00:5e:00:00:01' }, "'uplink_mac' must be a unicast MAC"],
    [{ uplink_mac: '52:54:00:12:34' }, "'uplink_mac' must be a unicast MAC"],
    [{ netplan_renderer: 'wicked' }, "'netplan_renderer' must be networkd or NetworkManager"],
    [{ libvirt_network: 'host bridge' }, "'libvirt_network' must be 1-64 letters"],
  ])('%j', (vars, expected) => {
    const msg = problem(vars);
    expect(msg).toContain(expected);
    expect(msg.startsWith('host hv1: bridge var ')).toBe(true);
    expect(msg).not.toContain('\n');
  });

  it.each([
    [{ bridge: undefined }, "'bridge' is required"],
    [{ uplink: '' }, "'uplink' is required"],
    [{ bridge: 'br0123456789abcd' }, "'bridge' must be at most 15 characters (kernel IFNAMSIZ)"],
    [{ bridge: 'br.0' }, "'bridge' must start with a letter and contain only letters, digits"],
    [{ bridge: '0br' }, "'bridge' must start with a letter"],
    [{ bridge: 'virbr0' }, '\'bridge\' must not start with "virbr"'],
    [{ bridge: 'vnet3' }, '\'bridge\' must not start with "vnet"'],
    [{ bridge: 'all' }, "'bridge' is a reserved name"],
    [{ uplink: 'eno1:0' }, '\'uplink\' must start with a letter and contain only letters, digits, "_", "-" and "."'],
    [{ uplink: 'br0' }, "'uplink' must differ from the bridge name"],
    [{ bridge: 42 }, "'bridge' must be a string"],
  ])('names: %j', (vars, expected) => {
    expect(problem(vars)).toContain(expected);
  });

  it('accepts a VLAN sub-interface as uplink', () => {
    expect(ok({ uplink: 'eno1.100' }).uplink).toBe('eno1.100');
  });
});

describe('validateBridgeParams: hostile values cannot reach a config file', () => {
  it.each([
    ['bridge', 'br0\nauto eth9'],
    ['uplink', 'eno1\r\niface x inet dhcp'],
    ['address', '192.0.2.10/24\n    post-up rm -rf /'],
    ['gateway', '192.0.2.1\u2028'],
    ['dns', ['192.0.2.53', '1.1.1.1\n[connection]']],
    ['search', 'example.org\u0000'],
    ['ipv6', { address: '2001:db8::10/64\nGateway=2001:db8::66' }],
    ['libvirt_network', "host-bridge'/><forward mode='nat'/>\n"],
  ])('%s with a line break or control character', (name, value) => {
    const msg = problem({ address: '192.0.2.10/24', [name]: value });
    expect(msg).toContain(`bridge var '${name}' must not contain line breaks or control characters`);
    expect(msg).not.toMatch(/[\n\r\u2028\u0000]/);
  });

  it.each([
    ['bridge', 'br0;reboot'],
    ['bridge', 'br0 eno2'],
    ['bridge', '$(id)'],
    ['bridge', 'br#0'],
    ['bridge', 'br0=1'],
    ['uplink', 'eno1/../x'],
    ['uplink', "eno1'"],
    ['libvirt_network', 'net<x>'],
    ['search', 'example.org;evil'],
    ['address', '192.0.2.10/24 extra'],
  ])('%s = %j is rejected by its pattern', (name, value) => {
    expect(problem({ [name]: value })).toMatch(new RegExp(`bridge var '${name}' `));
  });

  it('escapes the host name and shows values on one line', () => {
    const msg = problem({ mtu: 'x\u202eevil' }, 'hv\n1');
    expect(msg).not.toContain('\n');
    expect(msg).not.toContain('\u202e');
  });
});
