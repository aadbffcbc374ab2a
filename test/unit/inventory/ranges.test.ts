/** Host ranges and `name:port`, as Ansible's expand_hostname_range and parse_address handle them. */
import { describe, expect, it } from 'vitest';
import { expandHostPattern } from '../../../src/inventory/host-pattern.js';
import { expandHostnameRange, HostRangeError } from '../../../src/inventory/range.js';

describe('host ranges', () => {
  it('keeps zero padding', () => {
    expect(expandHostnameRange('hv[01:03].dc1')).toEqual(['hv01.dc1', 'hv02.dc1', 'hv03.dc1']);
    expect(expandHostnameRange('hv[8:10]')).toEqual(['hv8', 'hv9', 'hv10']);
    expect(expandHostnameRange('hv[08:10]')).toEqual(['hv08', 'hv09', 'hv10']);
  });
  it('counts 40 hosts in hv[01:40].dc1', () => {
    const hosts = expandHostnameRange('hv[01:40].dc1');
    expect(hosts).toHaveLength(40);
    expect(hosts.at(-1)).toBe('hv40.dc1');
  });
  it('walks letters, also across a-z then A-Z', () => {
    expect(expandHostnameRange('db-[a:f]')).toEqual(['db-a', 'db-b', 'db-c', 'db-d', 'db-e', 'db-f']);
    expect(expandHostnameRange('x[y:B]')).toEqual(['xy', 'xz', 'xA', 'xB']);
  });
  it('takes a stride', () => {
    expect(expandHostnameRange('hv[0:10:2]')).toEqual(['hv0', 'hv2', 'hv4', 'hv6', 'hv8', 'hv10']);
    expect(expandHostnameRange('hv[01:10:3]')).toEqual(['hv01', 'hv04', 'hv07', 'hv10']);
    expect(expandHostnameRange('n[a:g:3]')).toEqual(['na', 'nd', 'ng']);
  });
  it('defaults an empty begin to 0 and multiplies several ranges', () => {
    expect(expandHostnameRange('h[:2]')).toEqual(['h0', 'h1', 'h2']);
    expect(expandHostnameRange('r[1:2]-h[a:b]')).toEqual(['r1-ha', 'r1-hb', 'r2-ha', 'r2-hb']);
  });
  it.each([
    ['hv[1:]', 'must specify an end value'],
    ['hv[01:100]', 'equal-length'],
    ['hv[f:a]', 'begin <= end'],
    ['hv[1:2:3:4]', 'begin:end or begin:end:step'],
    ['hv[x]', 'begin:end or begin:end:step'],
    ['hv[1:x]', "'x' is not a number"],
    ['hv[1:3', "unbalanced '[' ']'"],
    ['hv[5:1]', 'is empty'],
    ['hv[1:5:0]', 'step of 0'],
  ])('rejects %s', (name, message) => {
    expect(() => expandHostnameRange(name)).toThrow(HostRangeError);
    expect(() => expandHostnameRange(name)).toThrow(message);
  });
});

describe('host entries with ports', () => {
  it.each([
    ['db1:2222', ['db1'], 2222],
    ['198.18.0.1:22', ['198.18.0.1'], 22],
    ['[2001:db8::1]:2200', ['2001:db8::1'], 2200],
    ['2001:db8::1', ['2001:db8::1'], undefined],
    ['hv[1:2].dc:2201', ['hv1.dc', 'hv2.dc'], 2201],
    ['plain', ['plain'], undefined],
  ])('%s', (entry, names, port) => {
    expect(expandHostPattern(entry)).toEqual({ names, port });
  });
});
