/**
 * Measures one host's management link from the controller, to check that an injected delay really
 * applies in both directions: the time until sshd's banner arrives is one server→client trip (sshd
 * speaks first); after sending it a line that is not an SSH version, the time until sshd has closed
 * the connection is a full round trip. Plus how long an ssh2 handshake (to `ready`) takes.
 */
import net from 'node:net';
import ssh2 from 'ssh2';
import { median } from './lib.js';

export interface LinkProbe {
  /** connect → first byte of sshd's banner: the server→client delay (plus sshd's accept). */
  readonly bannerMs: number;
  /** junk line sent → connection closed by sshd: client→server + server→client. */
  readonly roundTripMs: number;
  /** ssh2 connect → `ready` (TCP, key exchange, authentication). */
  readonly handshakeMs: number;
}

function rawProbe(host: string, port: number): Promise<{ bannerMs: number; roundTripMs: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    const t0 = performance.now();
    let bannerMs = -1;
    let sentAt = 0;
    s.setTimeout(15_000, () => s.destroy(new Error(`${host}: link probe timed out`)));
    s.once('data', () => {
      bannerMs = performance.now() - t0;
      sentAt = performance.now();
      s.write('not-ssh\r\n');
    });
    s.on('close', () =>
      bannerMs < 0
        ? reject(new Error(`${host}: closed before sshd's banner`))
        : resolve({ bannerMs, roundTripMs: performance.now() - sentAt }),
    );
    s.on('error', reject);
  });
}

function handshake(host: string, port: number, key: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    const t0 = performance.now();
    c.on('ready', () => {
      resolve(performance.now() - t0);
      c.end();
    });
    c.on('error', reject);
    c.connect({ host, port, username: 'root', privateKey: key, readyTimeout: 30_000 });
  });
}

/** Medians of `n` sequential probes of one host. */
export async function probeLink(host: string, port: number, key: Buffer, n = 5): Promise<LinkProbe> {
  const raw: { bannerMs: number; roundTripMs: number }[] = [];
  const hs: number[] = [];
  for (let i = 0; i < n; i++) {
    raw.push(await rawProbe(host, port));
    hs.push(await handshake(host, port, key));
  }
  return {
    bannerMs: median(raw.map((r) => r.bannerMs)),
    roundTripMs: median(raw.map((r) => r.roundTripMs)),
    handshakeMs: median(hs),
  };
}
