/**
 * The floor every benchmark compares fleet with: one bare ssh2 connection and one exec of the same
 * command per host, all output read, at a fixed concurrency. Nothing else (no host key check, no
 * parsing, no storage), so the gap to fleet is fleet's own cost.
 */
import pLimit from 'p-limit';
import ssh2 from 'ssh2';

export interface BareTarget {
  readonly address: string;
  readonly port: number;
  readonly command: string;
}

/** Connect, run `command` once, read all output, disconnect. Resolves with stdout. */
export function bareOne(t: BareTarget, key: Buffer, user = 'root'): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => {
      c.exec(t.command, (err, ch) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        ch.on('data', (d: Buffer) => chunks.push(d));
        ch.stderr.on('data', () => undefined);
        ch.on('close', () => {
          c.end();
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
      });
    });
    c.on('error', reject);
    c.connect({ host: t.address, port: t.port, username: user, privateKey: key, readyTimeout: 30_000 });
  });
}

/** bareOne on every target, at most `forks` at once. Returns how many hosts failed (and why, first one). */
export async function bareLoop(
  targets: readonly BareTarget[],
  key: Buffer,
  forks: number,
): Promise<{ failed: number; firstError?: string }> {
  const limit = pLimit(Math.max(1, forks));
  let failed = 0;
  let firstError: string | undefined;
  await Promise.all(
    targets.map((t) =>
      limit(() =>
        bareOne(t, key).then(
          () => undefined,
          (e: Error) => {
            failed++;
            firstError ??= `${t.address}:${t.port}: ${e.message}`;
          },
        ),
      ),
    ),
  );
  return firstError === undefined ? { failed } : { failed, firstError };
}
