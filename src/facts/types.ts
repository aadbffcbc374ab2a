/**
 * HostFacts: everything the facts script gathered on one host, parsed and typed. Plain JSON data
 * (no Map, no class, no undefined-vs-missing tricks) because it is stored in SQLite as JSON.
 */

/** Why a fact source is unavailable; checks map `not-installed`/`unsupported` to skipped, the rest to error. */
export type MissingCause = 'missing' | 'not-installed' | 'timeout' | 'failed' | 'unparseable' | 'unsupported';

/** A fact source that may have failed: `ok: false` carries a one-line reason, never a guess. */
export type Gathered<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly cause: MissingCause; readonly reason: string };

/** Bridge port STP state (kernel names; `unknown` if the kernel printed something else). */
export type PortState = 'disabled' | 'listening' | 'learning' | 'forwarding' | 'blocking' | 'unknown';

/** Bridge attributes (from `ip -d` info_data, completed by /sys/class/net/<br>/bridge/*). */
export interface BridgeInfo {
  readonly stpState: number;
  /** In centiseconds (USER_HZ): 1500 = 15 s. */
  readonly forwardDelayCs: number;
  /** null = the kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING unset). */
  readonly vlanFiltering: number | null;
  readonly defaultPvid?: number;
  readonly nfCallIptables?: number;
  readonly nfCallIp6tables?: number;
}

/** One network interface. */
export interface Link {
  readonly ifname: string;
  readonly ifindex: number;
  /** ip's flag names, e.g. ["BROADCAST","MULTICAST","UP","LOWER_UP"]. */
  readonly flags: readonly string[];
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  readonly mtu: number;
  /** Upper-case as ip prints it: UP, DOWN, UNKNOWN, LOWERLAYERDOWN… */
  readonly operstate: string;
  readonly address?: string;
  /** Permanent hardware address when ip reports it (differs from `address`). */
  readonly permaddr?: string;
  /** linkinfo.info_kind: bridge, veth, tun, bond, vlan, macvtap, openvswitch… (absent for plain NICs). */
  readonly kind?: string;
  /** For kind "tun": "tap" or "tun". */
  readonly tunType?: string;
  readonly master?: string;
  readonly slaveKind?: string;
  readonly altnames?: readonly string[];
  /** Backed by a device (/sys/class/net/X/device exists): a real NIC. Absent if sysfs was unreadable. */
  readonly physical?: boolean;
  /** /sys/class/net/X/carrier (unreadable while the link is admin-down: then absent). */
  readonly carrier?: boolean;
  readonly bridge?: BridgeInfo;
  readonly port?: { readonly state: PortState };
}

export interface IfAddr {
  readonly ifname: string;
  readonly family: 'inet' | 'inet6';
  readonly local: string;
  readonly prefixlen: number;
  /** global, link, host, site… */
  readonly scope: string;
  readonly dynamic: boolean;
}

export interface Route {
  /** "default" or a CIDR/address as ip prints it. */
  readonly dst: string;
  readonly gateway?: string;
  readonly dev?: string;
  readonly metric?: number;
  /** Absent = main. */
  readonly table?: string;
  readonly protocol?: string;
  /** unicast (absent), local, broadcast, blackhole, unreachable… */
  readonly type?: string;
  readonly prefsrc?: string;
}

export interface RoutingRule {
  readonly priority: number;
  readonly table?: string;
  readonly src?: string;
  readonly raw: string;
}

export interface Neighbour {
  readonly dst: string;
  readonly dev: string;
  readonly lladdr?: string;
  /** REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT, NOARP… */
  readonly state: readonly string[];
}

export interface VlanEntry {
  readonly vlan: number;
  readonly vlanEnd?: number;
  readonly pvid: boolean;
  readonly untagged: boolean;
}

export interface PortVlans {
  readonly ifname: string;
  readonly vlans: readonly VlanEntry[];
}

/** One iptables rule: the tokens after `-A <chain>` and where it jumps. */
export interface IptRule {
  readonly args: readonly string[];
  /** -j/-g target (ACCEPT, DROP, REJECT, RETURN, MASQUERADE, a user chain…). */
  readonly target?: string;
  readonly goto?: boolean;
}

export interface IptChain {
  readonly name: string;
  /** Built-in chains have a policy (ACCEPT/DROP); user chains have null. */
  readonly policy: string | null;
  readonly rules: readonly IptRule[];
}

export interface IptTable {
  readonly name: string;
  readonly chains: readonly IptChain[];
}

/** Parsed `iptables-save` output of one backend and family. */
export interface IptablesDump {
  readonly tables: readonly IptTable[];
}

export interface IptablesFacts {
  readonly v4nft: Gathered<IptablesDump>;
  readonly v4legacy: Gathered<IptablesDump>;
  readonly v6nft: Gathered<IptablesDump>;
  readonly v6legacy: Gathered<IptablesDump>;
}

export interface NftChain {
  readonly family: string;
  readonly table: string;
  readonly name: string;
  readonly type?: string;
  /** Present on base chains only. */
  readonly hook?: string;
  readonly prio?: number | string;
  readonly policy?: string;
}

/** One understood match: `meta iifname == "br0"`, `ip saddr == 192.0.2.0/24`, `ct state in {…}`. */
export interface NftCond {
  /** iifname, oifname, ibrname, obrname, l4proto, ip.saddr, udp.dport, ct.state… */
  readonly key: string;
  /** ==, !=, in… */
  readonly op: string;
  readonly values: readonly string[];
}

/** An nft rule reduced to what checks reason about; `opaque` counts conditions we could not read. */
export interface NftRule {
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  readonly conds: readonly NftCond[];
  readonly opaque: number;
  /** accept, drop, reject, return, jump, goto, queue, continue, masquerade, snat, dnat, redirect. */
  readonly verdict?: string;
  /** Chain for jump/goto. */
  readonly target?: string;
  /** iptables-nft compat expressions (xt match/target names). */
  readonly xt?: readonly string[];
}

export interface NftRuleset {
  readonly tables: ReadonlyArray<{ readonly family: string; readonly name: string }>;
  readonly chains: readonly NftChain[];
  readonly rules: readonly NftRule[];
}

/** Where a kernel feature stands; `unknown` when the host offered no way to tell. */
export type ModuleState = 'loaded' | 'builtin' | 'available' | 'absent' | 'unknown';

export interface KernelFacts {
  /** bridge, br_netfilter, tun, vhost_net, macvtap, kvm, kvm_intel, kvm_amd. */
  readonly modules: Readonly<Record<string, ModuleState>>;
  /** /dev/kvm, /dev/net/tun, /dev/vhost-net → char (usable node), other, absent. */
  readonly devices: Readonly<Record<string, 'char' | 'other' | 'absent'>>;
}

/** One `iface` stanza of /etc/network/interfaces. Option keys are lower-case with `_` → `-`. */
export interface IfaceStanza {
  readonly name: string;
  readonly family: string;
  readonly method: string;
  readonly options: Readonly<Record<string, readonly string[]>>;
  readonly file: string;
  readonly line: number;
}

export interface IfupdownConfig {
  /** Files read (interfaces + interfaces.d/*); empty when ifupdown config is absent. */
  readonly files: readonly string[];
  readonly auto: readonly string[];
  readonly hotplug: readonly string[];
  readonly ifaces: readonly IfaceStanza[];
  /** Targets of `source`/`source-directory` lines (only interfaces.d/* is actually read). */
  readonly sources: readonly string[];
}

/** A guest NIC from the domain's live XML. */
export interface DomainInterface {
  /** bridge, network, direct, ethernet, user, hostdev, vhostuser… */
  readonly type: string;
  readonly mac?: string;
  readonly sourceBridge?: string;
  readonly sourceNetwork?: string;
  /** type=direct: the host NIC (macvtap lower device). */
  readonly sourceDev?: string;
  readonly sourceMode?: string;
  /** Host-side device (tap/macvtap) as libvirt named it. */
  readonly targetDev?: string;
  readonly linkState?: string;
  readonly model?: string;
  readonly mtu?: number;
  readonly vlanTags?: readonly number[];
  readonly virtualport?: string;
  readonly filterref?: { readonly filter: string; readonly parameters: Readonly<Record<string, string>> };
}

export interface Domain {
  readonly name: string;
  readonly uuid?: string;
  /** The live XML carries an `id` attribute only while the domain runs. */
  readonly running: boolean;
  readonly autostart: boolean;
  readonly interfaces: readonly DomainInterface[];
  /** dumpxml failed (domain vanished meanwhile, permission…): interfaces are then unknown. */
  readonly error?: string;
}

export interface NetworkIp {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly prefix: number;
  readonly dhcp: boolean;
}

export interface LibvirtNetwork {
  readonly name: string;
  readonly uuid?: string;
  readonly active?: boolean;
  readonly autostart?: boolean;
  readonly persistent?: boolean;
  readonly bridge?: string;
  readonly bridgeStp?: string;
  readonly bridgeDelay?: number;
  /** nat, route, open, bridge, private, vepa, passthrough, hostdev; absent = isolated network. */
  readonly forwardMode?: string;
  /** forward/interface/@dev: with mode bridge these make the network macvtap. */
  readonly forwardDevs: readonly string[];
  readonly ips: readonly NetworkIp[];
  /** <dns enable='no'/> */
  readonly dnsDisabled: boolean;
  readonly error?: string;
}

export interface LibvirtFacts {
  readonly domains: readonly Domain[];
  readonly networks: readonly LibvirtNetwork[];
}

/** Everything gathered on one host. */
export interface HostFacts {
  readonly format: 'fleet-facts/v1';
  /** The output ended with the end marker (false = cut short: later sections are `missing`). */
  readonly complete: boolean;
  readonly hostname: Gathered<string>;
  readonly machineId: Gathered<string>;
  readonly kernel: Gathered<string>;
  readonly links: Gathered<readonly Link[]>;
  readonly addrs: Gathered<readonly IfAddr[]>;
  readonly routes4: Gathered<readonly Route[]>;
  readonly routes6: Gathered<readonly Route[]>;
  readonly rules4: Gathered<readonly RoutingRule[]>;
  readonly neigh: Gathered<readonly Neighbour[]>;
  readonly bridgeVlans: Gathered<readonly PortVlans[]>;
  /** Dotted keys as sysctl prints them (interface names kept verbatim): net.ipv4.conf.br0.rp_filter. */
  readonly sysctls: Gathered<Readonly<Record<string, string>>>;
  /** br_netfilter active (its /proc/sys/net/bridge exists in this network namespace). */
  readonly brNetfilter: Gathered<boolean>;
  readonly nft: Gathered<NftRuleset>;
  readonly iptables: IptablesFacts;
  readonly kernelModules: Gathered<KernelFacts>;
  readonly ifupdown: Gathered<IfupdownConfig>;
  /** firewall_backend from /etc/libvirt/network.conf; null = not set (libvirt picks its default). */
  readonly libvirtFirewallBackend: Gathered<string | null>;
  /** Command lines of running dnsmasq processes. */
  readonly dnsmasq: Gathered<readonly string[]>;
  readonly libvirt: Gathered<LibvirtFacts>;
}
