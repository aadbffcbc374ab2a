import { describe, expect, it } from 'vitest';
import { iptMatch, walkIptables, walkNftChain } from '../../../src/checks/netfilter-sim.js';
import { parseIptablesSave } from '../../../src/facts/parse-iptables.js';
import type { NftRuleset } from '../../../src/facts/types.js';

const rule = (...args: string[]) => ({ args });
const bridged = { iif: 'br0', oif: 'br0', bridge: 'br0', bridged: true, ct: 'new' as const };

describe('iptMatch (yes / no / maybe)', () => {
  it('matches interfaces, + wildcards and negation', () => {
    expect(iptMatch(rule('-i', 'br0', '-o', 'br0', '-j', 'ACCEPT'), bridged)).toBe('yes');
    expect(iptMatch(rule('-i', 'br+', '-j', 'ACCEPT'), bridged)).toBe('yes');
    expect(iptMatch(rule('!', '-i', 'br0', '-j', 'DROP'), bridged)).toBe('no');
    expect(iptMatch(rule('-i', 'docker0', '-j', 'DROP'), bridged)).toBe('no');
  });

  it('treats conditions it cannot decide as maybe (so they never decide a verdict)', () => {
    expect(iptMatch(rule('-p', 'tcp', '-j', 'ACCEPT'), bridged)).toBe('maybe');
    expect(iptMatch(rule('-m', 'physdev', '--physdev-in', 'tap1', '-j', 'ACCEPT'), bridged)).toBe('maybe');
    expect(iptMatch(rule('-m', 'set', '--match-set', 'x', 'src', '-j', 'DROP'), bridged)).toBe('maybe');
  });

  it('knows physdev-is-bridged, conntrack state, ports and addresses', () => {
    expect(iptMatch(rule('-m', 'physdev', '--physdev-is-bridged', '-j', 'ACCEPT'), bridged)).toBe('yes');
    expect(iptMatch(rule('-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'), bridged)).toBe('no');
    expect(iptMatch(rule('-p', 'udp', '-m', 'udp', '--dport', '67', '-j', 'ACCEPT'), { proto: 'udp', dport: 67 })).toBe('yes');
    expect(iptMatch(rule('-p', 'udp', '-m', 'multiport', '--dports', '50:60,67', '-j', 'ACCEPT'), { proto: 'udp', dport: 53 })).toBe('yes');
    expect(iptMatch(rule('-s', '192.0.2.0/24', '-j', 'ACCEPT'), { saddr: '192.0.2.9' })).toBe('yes');
    expect(iptMatch(rule('-s', '192.0.2.0/24', '-j', 'ACCEPT'), { saddr: '198.51.100.1' })).toBe('no');
  });
});

describe('walkIptables', () => {
  const dump = parseIptablesSave(
    [
      '*filter',
      ':FORWARD DROP [0:0]',
      ':A - [0:0]',
      ':B - [0:0]',
      '-A FORWARD -p tcp -j ACCEPT',
      '-A FORWARD -j A',
      '-A A -i br0 -g B',
      '-A A -j ACCEPT',
      '-A B -o br9 -j ACCEPT',
      'COMMIT',
    ].join('\n'),
  );

  it('skips partial accepts, follows jumps and goto (a goto-ed chain returns past its caller)', () => {
    expect(walkIptables(dump, 'filter', 'FORWARD', bridged)).toEqual({ verdict: 'drop', by: 'policy DROP of FORWARD' });
    expect(walkIptables(dump, 'filter', 'FORWARD', { ...bridged, iif: 'br1' })).toEqual({ verdict: 'accept', by: '-A A -j ACCEPT' });
  });

  it('reports no verdict for a missing table', () => {
    expect(walkIptables(dump, 'nat', 'POSTROUTING', bridged).verdict).toBe('none');
  });
});

describe('walkNftChain', () => {
  const rs: NftRuleset = {
    tables: [{ family: 'inet', name: 't' }],
    chains: [
      { family: 'inet', table: 't', name: 'fwd', hook: 'forward', policy: 'drop' },
      { family: 'inet', table: 't', name: 'vm' },
    ],
    rules: [
      {
        family: 'inet',
        table: 't',
        chain: 'fwd',
        conds: [{ key: 'ct.state', op: 'in', values: ['established', 'related'] }],
        opaque: 0,
        verdict: 'accept',
      },
      {
        family: 'inet',
        table: 't',
        chain: 'fwd',
        conds: [{ key: 'iifname', op: '==', values: ['br*'] }],
        opaque: 0,
        verdict: 'jump',
        target: 'vm',
      },
      { family: 'inet', table: 't', chain: 'vm', conds: [{ key: 'oifname', op: '!=', values: ['br0'] }], opaque: 0, verdict: 'drop' },
      { family: 'inet', table: 't', chain: 'vm', conds: [], opaque: 1, verdict: 'accept' },
      { family: 'inet', table: 't', chain: 'vm', conds: [{ key: 'udp.dport', op: '==', values: ['67'] }], opaque: 0, verdict: 'accept' },
    ],
  };

  it('uses wildcards, negation, jumps, protocol implied by udp dport, and falls back to the policy', () => {
    expect(walkNftChain(rs, 'inet', 't', 'fwd', bridged)).toEqual({ verdict: 'drop', by: 'policy drop of inet t fwd' });
    expect(walkNftChain(rs, 'inet', 't', 'fwd', { ...bridged, oif: 'eth0' }).verdict).toBe('drop');
    expect(walkNftChain(rs, 'inet', 't', 'fwd', { ...bridged, proto: 'udp', dport: 67 }).verdict).toBe('accept');
    expect(walkNftChain(rs, 'inet', 't', 'fwd', { ...bridged, proto: 'tcp', dport: 67 }).verdict).toBe('drop');
  });
});
