/** The address/name/MAC plan: disjoint fleets, 1000 hosts per segment, only 198.18.0.0/15. (Pure.) */
import { describe, expect, it } from 'vitest';
import {
  BLOCK_COUNT,
  blockCidr,
  blocksNeeded,
  deadAddress,
  guestMac,
  hostMac,
  hostName,
  hostSlot,
  ip4ToInt,
  stationAddress,
  tapMacFor,
} from '../../fleet/addressing.js';

const inSpace = (ip: string) => ip4ToInt(ip) >= ip4ToInt('198.18.0.0') && ip4ToInt(ip) <= ip4ToInt('198.19.255.255');

describe('fleet address plan', () => {
  it('puts host n of block b on segment floor((n-1)/1000) with gateway .1 of its /22', () => {
    expect(hostSlot(0, 1)).toEqual({ segment: 0, address: '198.18.0.2', gateway: '198.18.0.1', network: '198.18.0.0' });
    expect(hostSlot(0, 1000)).toEqual({ segment: 0, address: '198.18.3.233', gateway: '198.18.0.1', network: '198.18.0.0' });
    expect(hostSlot(0, 1001)).toEqual({ segment: 1, address: '198.18.4.2', gateway: '198.18.4.1', network: '198.18.4.0' });
    expect(hostSlot(3, 1)).toEqual({ segment: 0, address: '198.18.48.2', gateway: '198.18.48.1', network: '198.18.48.0' });
  });

  it('keeps every block, host, station and dead address inside 198.18.0.0/15 and below the reserved /18', () => {
    expect(blockCidr(BLOCK_COUNT - 1)).toBe('198.19.176.0/20');
    const last = hostSlot(BLOCK_COUNT - blocksNeeded(16000), 16000);
    expect(inSpace(last.address)).toBe(true);
    expect(ip4ToInt(last.address)).toBeLessThan(ip4ToInt('198.19.192.0'));
    expect(stationAddress(0, 0, 0)).toBe('198.18.3.234');
    expect(deadAddress(0, 0)).toBe('198.18.3.254');
  });

  it('never gives two fleets on different blocks the same address or segment', () => {
    const a = new Set(Array.from({ length: 4000 }, (_, i) => hostSlot(0, i + 1).address));
    const b = Array.from({ length: 4000 }, (_, i) => hostSlot(1, i + 1).address);
    expect(a.size).toBe(4000);
    expect(b.some((x) => a.has(x))).toBe(false);
    expect(blocksNeeded(4000)).toBe(1);
    expect(blocksNeeded(4001)).toBe(2);
  });

  it('names hosts with a width that follows the fleet size', () => {
    expect(hostName(3, 9)).toBe('hv03');
    expect(hostName(3, 150)).toBe('hv003');
    expect(hostName(10000, 10000)).toBe('hv10000');
  });

  it('derives unique, locally administered NIC MACs and libvirt-style guest/tap MACs', () => {
    expect(hostMac(2, 300, 1)).toBe('02:18:02:01:2c:01');
    expect(hostMac(2, 300, 1, 'peer')).toBe('02:19:02:01:2c:01');
    const guests = new Set<string>();
    for (const block of [0, 1, 27]) for (let n = 1; n <= 16000; n += 997) for (let vm = 0; vm < 3; vm++) guests.add(guestMac(block, n, vm));
    expect(guests.size).toBe(3 * 17 * 3);
    expect(guestMac(0, 1, 0)).toBe('52:54:00:00:00:04');
    expect(tapMacFor('52:54:00:00:00:04')).toBe('fe:54:00:00:00:04');
  });
});
