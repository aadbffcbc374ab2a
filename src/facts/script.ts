/**
 * The read-only facts script: ONE POSIX sh program, run in ONE exec per host, printing
 * marker-delimited sections that parseFacts() turns into HostFacts.
 *
 * Output format (line oriented):
 *   @@FLEET@@ <nonce> begin v1           first line; the nonce is random per run
 *   @@FLEET@@ <nonce> <section>          then the command's stdout, verbatim
 *   @@RC@@ <nonce> <exit code>           then the command's stderr (if any) until the next marker
 *   @@FLEET@@ <nonce> end                last line (its absence means the output was cut short)
 * The nonce (the kernel's random uuid) means content printed by a section (domain XML, config
 * files) can never forge a marker. stderr is kept apart so JSON sections stay parseable.
 *
 * Speed matters (thousands of hosts): every section is one or two processes, sysfs/procfs are read
 * with one grep each, virsh runs twice in total (not once per domain), and nothing slow or active
 * runs here (no ethtool -S, no arping/ping, no virt-host-validate, no journal greps).
 */
import { shQuote } from '../core/shell.js';

/** Variables the script needs. */
export interface FactsScriptVars {
  /** libvirt connection URI, e.g. `qemu:///system` (tests: `test:///abs/path/hv.xml`). */
  readonly libvirtUri: string;
}

/** Version of the section layout; parseFacts() refuses anything else. */
export const FACTS_FORMAT_VERSION = 'v1';

// Per-interface sysfs attributes; grep -H prints "path:value" for all of them in one process and
// -s skips files that cannot be read (carrier of a down link, globs that matched nothing).
const SYSFS_FILES = [
  'ifindex',
  'flags',
  'mtu',
  'operstate',
  'carrier',
  'address',
  'bridge/stp_state',
  'bridge/forward_delay',
  // Absent when the kernel lacks CONFIG_BRIDGE_VLAN_FILTERING: its absence is the capability signal.
  'bridge/vlan_filtering',
  'bridge/default_pvid',
  'bridge/nf_call_iptables',
  'bridge/nf_call_ip6tables',
  'brport/state',
].map((f) => `/sys/class/net/*/${f}`);

const SYSFS = [
  `grep -s -H . ${SYSFS_FILES.join(' ')}`,
  'for p in /sys/class/net/*/device; do [ -e "$p" ] && echo "$p:physical"; done',
  'for p in /sys/class/net/*/brif/*; do [ -e "$p" ] && echo "$p:port"; done',
  'exit 0',
].join('\n');

const SYSCTL_FILES = [
  'ipv4/ip_forward',
  'ipv4/conf/*/rp_filter',
  'ipv4/conf/*/arp_ignore',
  'ipv4/conf/*/arp_announce',
  'ipv4/conf/*/arp_filter',
  'ipv6/conf/all/forwarding',
  'ipv6/conf/default/forwarding',
  'ipv6/conf/all/accept_ra',
  // Only exists while br_netfilter is active (loaded or built in).
  'bridge/*',
].map((f) => `/proc/sys/net/${f}`);

const SYSCTL = [
  `grep -s -H . ${SYSCTL_FILES.join(' ')}`,
  '[ -d /proc/sys/net/bridge ] || echo "/proc/sys/net/bridge:absent"',
  'exit 0',
].join('\n');

const MODULE_RE = '(bridge|br_netfilter|tun|vhost_net|macvtap|kvm|kvm_intel|kvm_amd)';
const CONFIG_RE = '^CONFIG_(BRIDGE|BRIDGE_NETFILTER|BRIDGE_VLAN_FILTERING|TUN|VHOST_NET|MACVTAP|KVM|KVM_INTEL|KVM_AMD)=';

// lsmod misses built-in code, so: /sys/module, misc devices, modules.builtin/.dep, kernel config.
const MODULES = [
  'r=$(uname -r)',
  'for m in bridge br_netfilter tun vhost_net macvtap kvm kvm_intel kvm_amd; do [ -d /sys/module/$m ] && echo "loaded $m"; done',
  'for c in tun kvm vhost-net; do [ -e /sys/class/misc/$c ] && echo "misc $c"; done',
  'for d in /dev/kvm /dev/net/tun /dev/vhost-net; do',
  '  if [ -c $d ]; then echo "dev $d char"; elif [ -e $d ]; then echo "dev $d other"; else echo "dev $d absent"; fi',
  'done',
  'if [ -r /lib/modules/$r/modules.builtin ]; then echo builtin-list',
  `  grep -oE "/${MODULE_RE}\\.ko" /lib/modules/$r/modules.builtin | sed "s/^/builtin /"; fi`,
  'if [ -r /lib/modules/$r/modules.dep ]; then echo dep-list',
  `  grep -oE "^[^:]*/${MODULE_RE}\\.ko[^:]*:" /lib/modules/$r/modules.dep | sed "s/^/dep /"; fi`,
  'if [ -r /boot/config-$r ]; then echo config-list',
  `  grep -E "${CONFIG_RE}" /boot/config-$r | sed "s/^/config /"`,
  'elif [ -r /proc/config.gz ]; then echo config-list',
  `  gzip -dc /proc/config.gz | grep -E "${CONFIG_RE}" | sed "s/^/config /"; fi`,
  'exit 0',
].join('\n');

// Every ifupdown file we know of, each behind a nonce'd file marker.
const IFUPDOWN = [
  'for f in /etc/network/interfaces /etc/network/interfaces.d/*; do',
  '  [ -f "$f" ] || continue; echo "@@FILE@@ $1 $f"; cat "$f"; echo',
  'done; exit 0',
].join('\n');

// Pre-1.8 systems only have a plain iptables-save, which is then the legacy backend.
const LEGACY = [
  'if command -v "$1-legacy-save" >/dev/null 2>&1; then exec "$1-legacy-save"; fi',
  'if command -v "$1-save" >/dev/null 2>&1 && ! "$1-save" --version 2>/dev/null | grep -q nf_tables; then exec "$1-save"; fi',
  'echo "$1-legacy-save: not found" >&2; exit 127',
].join('\n');

// Two virsh processes in total: one lists, one dumps every domain and network. Names are re-quoted
// for virsh's own command parser (it understands sh-style single quotes); one virsh call per domain
// would cost ~20 ms each on a busy libvirtd. Every call uses -c "$U": never libvirt's default URI.
const VIRSH = [
  'U=$1 N=$2',
  'l=$(virsh -c "$U" "list --all --name; echo @@AUTOSTART@@; list --all --autostart --name; echo @@NETS@@; net-list --all --name") || exit $?',
  `printf '@@LIST@@ %s\\n%s\\n' "$N" "$l"`,
  `vq() { _r= _s=$1; while :; do case $_s in *\\'*) _r="$_r\${_s%%\\'*}'\\\\''"; _s=\${_s#*\\'};; *) break;; esac; done; printf "'%s%s'" "$_r" "$_s"; }`,
  'c= sect=doms',
  'while IFS= read -r d; do',
  "  case $d in @@AUTOSTART@@) sect=auto; continue;; @@NETS@@) sect=nets; continue;; '') continue;; esac",
  '  q=$(vq "$d")',
  '  case $sect in',
  '    doms) c="$c echo @@DOM@@ $N; echo $q; dumpxml $q;";;',
  '    nets) c="$c echo @@NET@@ $N; echo $q; net-dumpxml $q; echo @@NETINFO@@ $N; net-info $q;";;',
  '  esac',
  'done <<EOF',
  '$l',
  'EOF',
  '[ -n "$c" ] || exit 0',
  'exec virsh -c "$U" "$c"',
].join('\n');

/** Sections in output order: [name, timeout seconds, command words (already shell syntax)]. */
const SECTIONS: ReadonlyArray<readonly [string, number, string]> = [
  ['hostname', 5, 'cat /proc/sys/kernel/hostname'],
  ['machine_id', 5, 'cat /etc/machine-id'],
  ['kernel', 5, 'uname -r'],
  ['links', 10, 'ip -j -d link show'],
  ['addrs', 10, 'ip -j addr show'],
  ['routes4', 10, 'ip -j -4 route show table all'],
  ['routes6', 10, 'ip -j -6 route show table main'],
  ['rules4', 10, 'ip -j -4 rule show'],
  ['neigh', 10, 'ip -j neigh show'],
  ['br_vlan', 10, 'bridge -j vlan show'],
  ['sysfs', 10, 'sh -c "$SYSFS"'],
  ['sysctl', 10, 'sh -c "$SYSCTL"'],
  ['nft', 15, 'nft -j list ruleset'],
  ['ipt4_nft', 10, 'iptables-nft-save'],
  ['ipt4_legacy', 10, 'sh -c "$LEGACY" sh iptables'],
  ['ipt6_nft', 10, 'ip6tables-nft-save'],
  ['ipt6_legacy', 10, 'sh -c "$LEGACY" sh ip6tables'],
  ['modules', 10, 'sh -c "$MODULES"'],
  ['ifupdown', 5, 'sh -c "$IFUPDOWN" sh "$N"'],
  ['libvirt_conf', 5, 'grep -s -E "^[[:space:]]*firewall_backend[[:space:]]*=" /etc/libvirt/network.conf'],
  ['dnsmasq', 5, 'pgrep -a dnsmasq'],
  ['virsh', 30, 'sh -c "$VIRSH" sh "$URI" "$N"'],
];

/** Names of every section the script prints, in order. */
export const FACT_SECTIONS: readonly string[] = SECTIONS.map(([name]) => name);

/** Builds the facts script for one host. Pure; run it as `sh -c <script>` (see factsCommand). */
export function factsScript(vars: FactsScriptVars): string {
  return [
    '# fleet facts v1: read-only; prints marker-delimited sections (see src/facts/script.ts).',
    'export LC_ALL=C',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH',
    `URI=${shQuote(vars.libvirtUri)}`,
    'N=; { read -r N </proc/sys/kernel/random/uuid; } 2>/dev/null; [ -n "$N" ] || N="n$$"',
    // timeout is coreutils; without it commands still run, just unguarded.
    "if command -v timeout >/dev/null 2>&1; then T='timeout -k 2'; else T=; fi",
    `SYSFS=${shQuote(SYSFS)}`,
    `SYSCTL=${shQuote(SYSCTL)}`,
    `MODULES=${shQuote(MODULES)}`,
    `IFUPDOWN=${shQuote(IFUPDOWN)}`,
    `LEGACY=${shQuote(LEGACY)}`,
    `VIRSH=${shQuote(VIRSH)}`,
    'exec 3>&1',
    `printf '@@FLEET@@ %s begin ${FACTS_FORMAT_VERSION}\\n' "$N"`,
    // s NAME SECONDS CMD...: stdout goes straight to fd 3 (the real stdout), stderr is captured and
    // printed after the rc line, so a tool's warnings never corrupt its JSON.
    's() {',
    '  _n=$1 _t=$2; shift 2',
    `  printf '\\n@@FLEET@@ %s %s\\n' "$N" "$_n"`,
    '  if [ -n "$T" ]; then _e=$($T "$_t" "$@" 2>&1 >&3 3>&-); else _e=$("$@" 2>&1 >&3 3>&-); fi',
    '  _rc=$?',
    `  printf '\\n@@RC@@ %s %s\\n' "$N" "$_rc"`,
    `  [ -z "$_e" ] || printf '%s\\n' "$_e"`,
    '}',
    ...SECTIONS.map(([name, secs, cmd]) => `s ${name} ${secs} ${cmd}`),
    `printf '\\n@@FLEET@@ %s end\\n' "$N"`,
    '',
  ].join('\n');
}

/** The whole script as one command line for Connection.exec(): `sh -c '<script>'`. */
export function factsCommand(vars: FactsScriptVars): string {
  return `sh -c ${shQuote(factsScript(vars))}`;
}
