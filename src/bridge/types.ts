/**
 * Bridge parameters and rendered output. Field names are snake_case on purpose: they are the host
 * variable names users write in the inventory and the variable names the templates use.
 */

/** IPv6 on the bridge. Every key is always present (null when unused): templates run with strict undefined. */
export interface Ipv6Params {
  /** static = `address` (+ optional `gateway`); auto = SLAAC from router advertisements; dhcp = DHCPv6. */
  mode: 'static' | 'auto' | 'dhcp';
  address: string | null;
  gateway: string | null;
}

/** Validated, normalized bridge parameters (see validateBridgeParams). */
export interface BridgeParams {
  /** Inventory host the parameters belong to; used in error messages only. */
  host: string;
  bridge: string;
  uplink: string;
  /** Permanent MAC of the uplink, lower case; when set, renderers that can match by MAC do. */
  uplink_mac: string | null;
  /** MAC to put on the bridge (usually the uplink's, see check 10). */
  bridge_mac: string | null;
  /** Static IPv4 address with prefix length, e.g. "192.0.2.10/24". */
  address: string | null;
  /** IPv4 by DHCP. Neither address nor dhcp = L2-only bridge without host IPv4. */
  dhcp: boolean;
  /** IPv4 default gateway (static addressing only). */
  gateway: string | null;
  /** DNS servers (IPv4 or IPv6). */
  dns: string[];
  /** DNS search domains. */
  search: string[];
  /** MTU for bridge and uplink; null leaves the default. */
  mtu: number | null;
  stp: boolean;
  /** Seconds. 0–30 with STP off; 2–30 with STP on (kernel range). */
  forward_delay: number;
  vlan_aware: boolean;
  /** VLAN ids allowed on the uplink when vlan_aware: "10" or "100-200" items. */
  vids: string[];
  ipv6: Ipv6Params | null;
  /** Backend that netplan renders for. */
  netplan_renderer: 'networkd' | 'NetworkManager';
  /** Name of the libvirt network object that points at the host bridge. */
  libvirt_network: string;
}

/** Managers that own the host's persistent network config. */
export const HOST_STACKS = ['ifupdown', 'ifupdown-interfaces-d', 'ifupdown2', 'netplan', 'networkmanager', 'networkd'] as const;
export type HostStack = (typeof HOST_STACKS)[number];

/** Everything renderBridgeConfig can render: the host stacks plus the libvirt network object. */
export type BridgeStack = HostStack | 'libvirt';
export const BRIDGE_STACKS: readonly BridgeStack[] = [...HOST_STACKS, 'libvirt'];

/** One file to install on the host. */
export interface RenderedFile {
  /** Absolute path on the host. */
  path: string;
  content: string;
  /** Permission bits, e.g. 0o600; owner is always root:root. */
  mode: number;
}

/** Files for one stack plus the commands that apply them persistently. */
export interface BridgeConfig {
  stack: BridgeStack;
  files: RenderedFile[];
  /**
   * Commands to run (in order, as root, from the detached apply unit) BEFORE the new files replace
   * the old ones. Only classic ifupdown needs this: ifdown reads the definitions in the file.
   */
  preWrite: string[];
  /** Commands to run (in order) AFTER the files are in place, to apply them. Values are shell-quoted. */
  reload: string[];
}
