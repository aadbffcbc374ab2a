import { describe, expect, test } from 'vitest';
import { KnownHostsIndex } from '../../../src/transport/known-hosts-index.js';
import { hashHostName, hostFieldMatches, keyTypeOf, parseKnownHosts } from '../../../src/transport/known-hosts.js';

function blob(seed: number): Buffer {
  const t = Buffer.from('ssh-ed25519');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  const body = Buffer.alloc(32, seed);
  const blen = Buffer.alloc(4);
  blen.writeUInt32BE(body.length);
  return Buffer.concat([len, t, blen, body]);
}
const line = (hosts: string, seed: number, marker = '') =>
  `${marker}${marker ? ' ' : ''}${hosts} ${keyTypeOf(blob(seed))} ${blob(seed).toString('base64')}`;

// Every kind of host field, interleaved so file order matters.
const TEXT = [
  line('hv01,198.18.0.2', 1),
  line('*.dc1', 2),
  line(hashHostName('hv02'), 3),
  line('[127.0.0.5]:2022', 4),
  line('HV03', 5),
  line('hv0?,!hv09', 6),
  line('hv01', 7, '@revoked'),
  line('hv04.dc1,hv04', 8),
  line('[127.0.0.5]:2022,other', 9),
].join('\n');
const entries = parseKnownHosts(TEXT, 'kh');
const NAMES = ['hv01', 'hv02', 'hv03', 'hv04', 'hv04.dc1', 'hv09', 'hv10', '198.18.0.2', '[127.0.0.5]:2022', '127.0.0.5', 'other', 'x.dc1'];

describe('KnownHostsIndex', () => {
  test('finds exactly what a scan of every line finds, in file order', () => {
    const index = new KnownHostsIndex(entries);
    for (const name of NAMES) {
      expect(
        index.forName(name).map((e) => e.line),
        name,
      ).toEqual(entries.filter((e) => hostFieldMatches(e.hosts, name)).map((e) => e.line));
    }
    // The cases above really exercise several kinds of match.
    expect(index.forName('hv01').map((e) => e.line)).toEqual([1, 6, 7]);
    expect(index.forName('hv04.dc1').map((e) => e.line)).toEqual([2, 8]);
    expect(index.forName('hv09')).toEqual([]);
  });

  test('entries added later are found, after the earlier ones', () => {
    const index = new KnownHostsIndex(entries);
    const [added] = parseKnownHosts(line('hv01', 10), 'kh');
    index.add(added!);
    expect(index.forName('hv01').map((e) => e.key[e.key.length - 1])).toEqual([1, 6, 7, 10]);
  });
});
