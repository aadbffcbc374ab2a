/**
 * renderBridgeConfig: validated parameters + stack → files (path, content, mode) and apply commands.
 * Pure apart from reading the templates; nothing here touches a host.
 */
import { TemplateEngine } from '../templates/render.js';
import { hostError } from './errors.js';
import { ipFamily } from './ip.js';
import { stackPlan } from './plan.js';
import { templatesDir } from '../templates/dir.js';
import type { BridgeConfig, BridgeParams, BridgeStack } from './types.js';
import { uuidFromName } from './uuid.js';

/** Template variables: the parameters plus a few derived values. All keys defined (strict undefined). */
export function templateContext(p: BridgeParams): Record<string, unknown> {
  return {
    ...p,
    /** Host has an IP on the bridge; false = L2-only bridge. */
    l3: p.address !== null || p.dhcp || p.ipv6 !== null,
    dns4: p.dns.filter((d) => ipFamily(d) === 4),
    dns6: p.dns.filter((d) => ipFamily(d) === 6),
    uuid_bridge: uuidFromName(`bridge:${p.bridge}`),
    uuid_port: uuidFromName(`bridge-port:${p.bridge}:${p.uplink}`),
    port_id: `${p.bridge}-port-${p.uplink}`,
  };
}

/** One engine per templates directory: fleet's single template engine (Jinja2 syntax, strict undefined). */
const engines = new Map<string, TemplateEngine>();
function engineFor(dir: string): TemplateEngine {
  let e = engines.get(dir);
  if (!e) engines.set(dir, (e = new TemplateEngine({ searchPaths: [dir] })));
  return e;
}

/** Renders the files for `stack`; throws InputError when the stack cannot express the parameters. */
export function renderBridgeConfig(stack: BridgeStack, params: BridgeParams): BridgeConfig {
  if (stack === 'netplan' && params.vlan_aware) {
    // netplan has no Linux-bridge VLAN filtering keys (its model is one bridge per VLAN).
    throw hostError(
      params.host,
      'netplan cannot express a VLAN-aware bridge (vlan_aware); use one bridge per VLAN or set network_stack to networkd/networkmanager',
    );
  }
  const ctx = templateContext(params);
  const plan = stackPlan(stack, params, { bridge: String(ctx.uuid_bridge), port: String(ctx.uuid_port) });
  const dir = templatesDir();
  const files = plan.files.map((f) => ({
    path: f.path,
    mode: f.mode,
    content: engineFor(dir).renderFile(f.template, { ...ctx, template: f.template, path: f.path }),
  }));
  return { stack, files, preWrite: plan.preWrite, reload: plan.reload };
}
