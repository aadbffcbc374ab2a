/**
 * Firewall and sysctl faults (checks 11, 12, 13, 15, 16). Sysctls are per network namespace
 * (net.bridge.* since kernel 5.3), so each change stays inside the host.
 */
import { IN_HOST } from '../addressing.js';
import { SimFleetError } from '../exec.js';
import { HOST_LAYOUT } from '../model.js';
import { pickVm } from './bridge.js';
import type { FaultImpl } from './types.js';

export const brNfIptables: FaultImpl<'netfilter.br-nf-iptables'> = async (ctx, o) => {
  const iptables = (o.backend ?? 'nft') === 'nft' ? 'iptables-nft' : 'iptables-legacy';
  // Docker's doing: bridged frames go through iptables, and FORWARD drops by default.
  await ctx.sh(`sysctl -qw net.bridge.bridge-nf-call-iptables=1\n${iptables} -P FORWARD DROP`);
};

export const nftForward: FaultImpl<'netfilter.nft-forward'> = async (ctx, o) => {
  if ((o.variant ?? 'inet-forward') === 'inet-forward') {
    await ctx.sh(`sysctl -qw net.bridge.bridge-nf-call-iptables=1
nft -f - <<'EOF'
table inet filter {
  chain input { type filter hook input priority filter; policy accept; }
  chain forward { type filter hook forward priority filter; policy drop; }
  chain output { type filter hook output priority filter; policy accept; }
}
EOF`);
    return;
  }
  const tap = pickVm(ctx.h, undefined).tap;
  await ctx.sh(`nft -f - <<'EOF'
table bridge filter {
  chain forward { type filter hook forward priority filter; policy accept; iifname "${tap}" drop; }
}
EOF`);
};

export const hostInput: FaultImpl<'netfilter.host-input'> = async (ctx) => {
  // A "hardening" run: INPUT drops everything but SSH; on a NAT host libvirt's DNS/DHCP accepts are gone.
  await ctx.sh(`${ctx.natMode ? 'iptables-nft -F LIBVIRT_INP\n' : ''}iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
iptables-nft -P INPUT DROP`);
};

export const ipForward: FaultImpl<'sysctl.ip-forward'> = async (ctx) => {
  if (!ctx.natMode) {
    throw new SimFleetError(
      `${ctx.h.host.name}: sysctl.ip-forward: a bridge-mode host already runs with ip_forward=0 (correct there); bring the fleet up with vmNetworkMode 'nat'`,
    );
  }
  await ctx.sh('sysctl -qw net.ipv4.ip_forward=0');
};

export const rpFilter: FaultImpl<'sysctl.rp-filter'> = async (ctx, o) => {
  await ctx.sh('sysctl -qw net.ipv4.conf.all.rp_filter=1');
  if ((o.variant ?? 'policy-routing') === 'policy-routing') {
    // Makes the host "multi-homed" in the check's sense: a policy rule with its own default route.
    await ctx.ip([
      `rule add pref 1000 from ${IN_HOST.policySource} lookup 100`,
      `route add default via ${ctx.h.host.gateway} dev ${HOST_LAYOUT.mgmtBridge} table 100`,
    ]);
  }
};
