/**
 * One process of the known_hosts lock test: reads FILE (as a connection does when it starts), waits
 * at the FIFO barrier with its siblings, then verifies its own ed25519 key for the same host under
 * accept-new and prints the decision as JSON. Usage: node known-hosts-contender.js FILE FIFO SEED
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { prepareHostKeyCheck } from '../../src/transport/host-key-check.js';
import { KnownHostsStore } from '../../src/transport/known-hosts-store.js';

const [file, fifo, seed] = process.argv.slice(2);
if (!file || !fifo || !seed) throw new Error('usage: known-hosts-contender FILE FIFO SEED');
const type = Buffer.from('ssh-ed25519');
const body = Buffer.alloc(32, Number(seed));
const len = (n: number) => Buffer.from([0, 0, 0, n]);
const key = Buffer.concat([len(type.length), type, len(body.length), body]);
const algorithms = ['ssh-ed25519'];
const check = await prepareHostKeyCheck({
  mode: 'accept-new',
  store: new KnownHostsStore([file]),
  host: 'hv-race',
  port: 22,
  defaultAlgorithms: algorithms,
  supportedAlgorithms: algorithms,
});
writeFileSync(`${fifo}.ready.${seed}`, '');
closeSync(openSync(fifo, 'r')); // blocks until the test opens the FIFO for writing
process.stdout.write(`${JSON.stringify({ seed: Number(seed), decision: await check.verify(key) })}\n`);
