/**
 * The shell scripts the commit-confirmed flow runs on a host. Built on the controller (pure string
 * builders, every value quoted); everything that must survive the SSH session dropping lives in
 * files under the transaction directory `tx` and runs detached (own session, stdio closed).
 *
 *   tx/old/N, tx/old/manifest   backups of the config files (cp -p), "N present|absent PATH"
 *   tx/runtime.before.json      the runtime snapshot (evidence)
 *   tx/restore.batch            ip -force -batch that restores the runtime (restore-plan.ts)
 *   tx/rollback.sh              files first, then runtime; gated by mkdir tx/decided
 *   tx/new/N, tx/apply.batch    the new files and the runtime change
 *   tx/apply.sh                 installs the files, runs the batch (+ reload), writes tx/apply.rc
 *   tx/decided + tx/decision    who won: "commit" (fleet confirmed) or "rollback" (switch fired)
 *
 * One transaction at a time per host: HOST_LOCK (a directory naming its transaction) is taken before
 * the backup and given back by the commit or at the end of the rollback. Two controllers, or a
 * scheduled run and an operator, would otherwise back up each other's half-applied state.
 */
import { shQuote } from '../core/shell.js';
import { RUNTIME_DUMP } from './runtime.js';

export interface TxFile {
  readonly path: string;
  /** Octal permission bits, e.g. 0o644. */
  readonly mode: number;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Writes `content` to `dest` through a base64 here-document (binary-safe, no quoting issues). */
function writeFile(dest: string, content: string): string {
  return `base64 -d > ${dest} <<'FLEET_EOF'\n${b64(content).replace(/(.{76})/g, '$1\n')}\nFLEET_EOF`;
}

/** Section marker lines of the probe's output. */
export const MARK = '@@fleet@@';

/** The per-host lock (on tmpfs: a reboot ends every transaction's runtime part anyway). */
export const HOST_LOCK = '/run/fleet/bridge.lock';

/** Exit status of the backup script when another open transaction holds the host lock. */
export const LOCKED_RC = 75;

/**
 * Every look at or change of the lock (take, take over, give back) happens under `flock` on
 * LOCK.mutex: reading the owner and replacing a stale one must be one step, or two contenders that
 * both saw the same stale (or not yet written) owner both take it. The mutex is held for a few
 * milliseconds only; the kernel drops it when its holder dies, so it can never go stale itself. The
 * lock proper stays a directory naming its transaction, because it must outlive this SSH session
 * (the apply is detached and the commit comes over another connection).
 */
const MUTEX_WAIT_S = 10;

/**
 * Takes the lock for transaction $t (creating $t), or prints `locked OWNER` and exits LOCKED_RC. A
 * holder is stale (taken over) when its transaction is over: committed, rolled back to the end,
 * gone, or never armed a minute after it took the lock (its controller died before changing anything).
 */
export function lockSh(lockPath: string = HOST_LOCK): string {
  return [
    `lock=${shQuote(lockPath)}`,
    'mkdir -p "${lock%/*}"',
    'command -v flock >/dev/null || { echo "flock (util-linux) is missing on this host: cannot take the transaction lock" >&2; exit 1; }',
    'tx_open() {',
    '  [ -d "$1" ] || return 1',
    '  if [ -e "$1/decided" ]; then [ "$(cat "$1/decision" 2>/dev/null)" = rollback ] && [ ! -e "$1/rollback.done" ]; return; fi',
    '  [ -s "$1/deadman.pid" ] || [ -s "$1/deadman.unit" ] || [ -n "$(find "$lock" -maxdepth 0 -mmin -1 2>/dev/null)" ]',
    '}',
    'exec 9>>"$lock.mutex"',
    `flock -w ${MUTEX_WAIT_S} 9 || { echo "locked (another process kept $lock.mutex for ${MUTEX_WAIT_S}s)"; exit ${LOCKED_RC}; }`,
    'if [ -e "$lock" ]; then',
    '  owner=$(cat "$lock/tx" 2>/dev/null || true)',
    `  if [ -n "$owner" ] && tx_open "$owner"; then echo "locked $owner"; exit ${LOCKED_RC}; fi`,
    '  rm -rf "$lock"',
    'fi',
    // The transaction directory exists before the lock names it: a missing one means "gone" (stale).
    'mkdir -p "$t"',
    'mkdir "$lock"',
    'echo "$t" > "$lock/tx"',
    'exec 9>&-',
  ].join('\n');
}

/** Gives the lock back if transaction $t still holds it (in a subshell: the mutex fd closes with it). */
export function unlockSh(lockPath: string = HOST_LOCK): string {
  const lock = shQuote(lockPath);
  return `( exec 9>>${lock}.mutex && flock -w ${MUTEX_WAIT_S} 9 && [ "$(cat ${lock}/tx 2>/dev/null)" = "$t" ] && rm -rf ${lock} )`;
}
const UNLOCK_SH = unlockSh();

/** Releases the lock after a failure before anything changed (backup or arming failed). */
export function unlockScript(tx: string): string {
  return [`t=${shQuote(tx)}`, UNLOCK_SH, 'true'].join('\n');
}

/**
 * Read-only: the runtime (3 JSON docs), each config file (present? mode, base64), and what the
 * switch and the verification can use on this host. Changes nothing.
 */
export function probeScript(files: readonly string[]): string {
  const lines = [`echo '${MARK} runtime'`, RUNTIME_DUMP];
  files.forEach((f, i) => {
    const q = shQuote(f);
    lines.push(`echo '${MARK} file ${i}'`, `if [ -f ${q} ]; then stat -c '%a' ${q}; base64 -w0 < ${q}; echo; else echo absent; fi`);
  });
  lines.push(
    `echo '${MARK} env'`,
    // systemd-run only helps where systemd is PID 1 (sd_booted: /run/systemd/system exists).
    `if [ -d /run/systemd/system ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && command -v systemd-run >/dev/null; then echo switch=systemd; else echo switch=setsid; fi`,
    'command -v setsid >/dev/null && echo has=setsid',
    'command -v ping >/dev/null && echo has=ping',
    'command -v arping >/dev/null && echo has=arping',
    'command -v nmcli >/dev/null && echo has=nmcli',
    '[ -d /etc/pve ] && echo has=pve',
    `dpkg-query -W -f='\${Package} \${Status}\\n' ifupdown ifupdown2 2>/dev/null | sed -n 's/^\\(ifupdown2\\{0,1\\}\\) install ok installed$/pkg=\\1/p'`,
    `for u in networking NetworkManager systemd-networkd; do systemctl is-active --quiet "$u.service" 2>/dev/null && echo "unit=$u.service"; done`,
    'ls /etc/netplan 2>/dev/null | sed "s/^/netplan=/"',
    `grep -qsE '^[[:space:]]*source[[:space:]]+/etc/network/interfaces\\.d' /etc/network/interfaces && echo sources_d=1`,
    `echo '${MARK} end'`,
  );
  return lines.join('\n');
}

/** Backup (phase 1): copies of the files, the runtime snapshot, the restore batch and rollback.sh. */
export function backupScript(
  tx: string,
  files: readonly TxFile[],
  restoreBatch: readonly string[],
  bridges: readonly string[] = [],
): string {
  const t = shQuote(tx);
  const out = ['set -e', 'umask 077', `t=${t}`, lockSh(), `mkdir -p ${t}/old ${t}/new`, `: > ${t}/old/manifest`];
  files.forEach((f, i) => {
    const p = shQuote(f.path);
    out.push(
      `if [ -e ${p} ]; then cp -p ${p} ${t}/old/${i}; echo "${i} present" >> ${t}/old/manifest; else echo "${i} absent" >> ${t}/old/manifest; fi`,
    );
  });
  out.push(`{ ${RUNTIME_DUMP}; } > ${t}/runtime.before.json`);
  out.push(writeFile(`${t}/restore.batch`, restoreBatch.join('\n') + '\n'));
  out.push(writeFile(`${t}/rollback.sh`, rollbackSh(files, bridges)));
  out.push(`echo backed-up`);
  return out.join('\n');
}

/** rollback.sh: runs at most once, whoever starts it (the switch, or fleet when verification failed). */
function rollbackSh(files: readonly TxFile[], bridges: readonly string[]): string {
  const restore = files.map((f, i) => {
    const p = shQuote(f.path);
    return `if grep -qx '${i} present' "$tx/old/manifest"; then cp -p "$tx/old/${i}" ${p}.fleet-rb && mv -f ${p}.fleet-rb ${p}; else rm -f ${p}; fi`;
  });
  return [
    '#!/bin/sh',
    '# fleet dead-man switch: restore the config files and runtime network state saved before a change.',
    'tx=$(cd "$(dirname "$0")" && pwd)',
    // mkdir is atomic: exactly one of commit and rollback wins.
    'if ! mkdir "$tx/decided" 2>/dev/null; then exit 0; fi',
    'echo rollback > "$tx/decision"',
    'exec >> "$tx/rollback.log" 2>&1',
    'echo "rollback started $(date +%s)"',
    // A still-running apply must not race the restore.
    '[ -s "$tx/apply.pid" ] && kill -TERM -- "-$(cat "$tx/apply.pid")" 2>/dev/null',
    // Files first: if the runtime restore hangs, a reboot still lands in the old config.
    ...restore,
    ...bridges.map((b) => `ip link show dev ${shQuote(b)} >/dev/null 2>&1 || ip link add name ${shQuote(b)} type bridge`),
    'ip -force -batch "$tx/restore.batch"; rc=$?',
    'echo "$rc" > "$tx/rollback.rc"',
    'echo "rollback done rc=$rc $(date +%s)"',
    'touch "$tx/rollback.done"',
    `t=$tx; ${UNLOCK_SH}`,
    '',
  ].join('\n');
}

/**
 * Arms the switch (phase 2): rollback.sh after `timeoutS` unless committed. A transient systemd
 * timer where systemd is PID 1, else a setsid process (own session: SSH hangup cannot reach it).
 * Prints `armed systemd UNIT` or `armed setsid PID` only after checking it really is armed.
 */
export function armScript(tx: string, timeoutS: number, mode: 'systemd' | 'setsid', unit: string): string {
  const t = shQuote(tx);
  if (mode === 'systemd') {
    const u = shQuote(unit);
    return [
      'set -e',
      `systemd-run --quiet --unit=${u} --on-active=${timeoutS}s --timer-property=AccuracySec=1s --collect /bin/sh ${t}/rollback.sh`,
      `systemctl is-active --quiet ${u}.timer`,
      `echo ${u} > ${t}/deadman.unit`,
      `echo "armed systemd ${unit}"`,
    ].join('\n');
  }
  return [
    'set -e',
    `setsid sh -c 'echo $$ > "$1/deadman.pid"; sleep "$2"; exec sh "$1/rollback.sh"' fleet-deadman ${t} ${timeoutS} < /dev/null > /dev/null 2>&1 &`,
    `i=0; while [ ! -s ${t}/deadman.pid ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`,
    `kill -0 "$(cat ${t}/deadman.pid)"`,
    `echo "armed setsid $(cat ${t}/deadman.pid)"`,
  ].join('\n');
}

/** The detached apply (phase 3): files in place (tmp + rename), the runtime batch, then reload commands. */
export function applySh(
  files: readonly TxFile[],
  opts: { batch: boolean; preWrite: readonly string[]; reload: readonly string[] },
): string {
  const install = files.map((f, i) => {
    const p = shQuote(f.path);
    const dir = shQuote(f.path.replace(/\/[^/]*$/, '') || '/');
    return `mkdir -p ${dir} && cp "$tx/new/${i}" ${p}.fleet-new && chmod ${f.mode.toString(8)} ${p}.fleet-new && mv -f ${p}.fleet-new ${p} || rc=1`;
  });
  return [
    '#!/bin/sh',
    'tx=$(cd "$(dirname "$0")" && pwd)',
    'exec >> "$tx/apply.log" 2>&1',
    'echo $$ > "$tx/apply.pid"',
    'rc=0',
    ...opts.preWrite.map((c) => `${c} || rc=1`),
    ...install,
    ...(opts.batch ? ['ip -force -batch "$tx/apply.batch" || rc=1'] : []),
    ...opts.reload.map((c) => `${c} || rc=1`),
    'echo "$rc" > "$tx/apply.rc.tmp" && mv "$tx/apply.rc.tmp" "$tx/apply.rc"',
    '',
  ].join('\n');
}

/** Uploads the new files, the batch and apply.sh, then starts it detached; prints `started`. */
export function startApplyScript(tx: string, files: readonly { content: string }[], batch: readonly string[], applyText: string): string {
  const t = shQuote(tx);
  const out = ['set -e', 'umask 077'];
  files.forEach((f, i) => out.push(writeFile(`${t}/new/${i}`, f.content)));
  out.push(writeFile(`${t}/apply.batch`, batch.join('\n') + '\n'));
  out.push(writeFile(`${t}/apply.sh`, applyText));
  out.push(`setsid sh ${t}/apply.sh < /dev/null > /dev/null 2>&1 &`);
  out.push('echo started');
  return out.join('\n');
}

/** Read-only status of a transaction: `key=value` lines. */
export function statusScript(tx: string): string {
  const t = shQuote(tx);
  return [
    `printf 'apply_rc=%s\\n' "$(cat ${t}/apply.rc 2>/dev/null)"`,
    `printf 'decision=%s\\n' "$(cat ${t}/decision 2>/dev/null)"`,
    `printf 'rollback_rc=%s\\n' "$(cat ${t}/rollback.rc 2>/dev/null)"`,
    `[ -e ${t}/rollback.done ] && echo rollback_done=1`,
    `echo '${MARK} log'`,
    `tail -c 2000 ${t}/rollback.log 2>/dev/null; tail -c 2000 ${t}/apply.log 2>/dev/null`,
    'true',
  ].join('\n');
}

/** Commit (phase 5): wins the decision, then disarms. Prints `committed` or `too-late DECISION`. */
export function commitScript(tx: string): string {
  const t = shQuote(tx);
  return [
    `if mkdir ${t}/decided 2>/dev/null; then`,
    `  echo commit > ${t}/decision`,
    `  [ -s ${t}/deadman.pid ] && kill -- "-$(cat ${t}/deadman.pid)" 2>/dev/null`,
    `  [ -s ${t}/deadman.unit ] && systemctl stop "$(cat ${t}/deadman.unit).timer" 2>/dev/null`,
    `  t=${t}; ${UNLOCK_SH}`,
    '  echo committed',
    'else',
    `  echo "too-late $(cat ${t}/decision 2>/dev/null)"`,
    'fi',
  ].join('\n');
}

/** Verification failed while connected: roll back now, detached (it may cut this session). */
export function rollbackNowScript(tx: string): string {
  const t = shQuote(tx);
  return `setsid sh ${t}/rollback.sh < /dev/null > /dev/null 2>&1 &\necho rolling-back`;
}
