/** ConnectionSpec from Ansible connection vars. */
import { describe, expect, it } from 'vitest';
import type { Host, Vars } from '../../../src/core/inventory.js';
import { connectionSpec } from '../../../src/inventory/index.js';

const host = (vars: Vars, name = 'hv01.dc1'): Host => ({ name, groups: ['all'], vars });

describe('connectionSpec', () => {
  it('defaults to ssh on port 22 at the inventory name', () => {
    expect(connectionSpec(host({}))).toEqual({
      name: 'hv01.dc1',
      connection: 'ssh',
      address: 'hv01.dc1',
      port: 22,
      user: undefined,
      privateKeyFile: undefined,
      proxyJump: undefined,
      become: false,
      becomeUser: undefined,
      becomePassword: undefined,
    });
  });

  it('reads the ansible_* vars', () => {
    const spec = connectionSpec(
      host({
        ansible_host: '198.18.0.10',
        ansible_port: '2222',
        ansible_user: 'ops',
        ansible_ssh_private_key_file: '/keys/ops',
        ansible_become: 'yes',
        ansible_become_user: 'root',
        ansible_become_password: 'pw',
        ansible_ssh_common_args: '-o StrictHostKeyChecking=yes -o ProxyJump=jump@198.18.0.1:2200',
      }),
    );
    expect(spec).toMatchObject({
      address: '198.18.0.10',
      port: 2222,
      user: 'ops',
      privateKeyFile: '/keys/ops',
      become: true,
      becomeUser: 'root',
      becomePassword: 'pw',
      proxyJump: 'jump@198.18.0.1:2200',
    });
  });

  it('lets extra vars override host vars', () => {
    expect(connectionSpec(host({ ansible_user: 'a', ansible_port: 22 }), { ansible_user: 'b', ansible_port: 2200 })).toMatchObject({
      user: 'b',
      port: 2200,
    });
  });

  it('accepts paramiko and smart as ssh, local as local', () => {
    expect(connectionSpec(host({ ansible_connection: 'paramiko' })).connection).toBe('ssh');
    expect(connectionSpec(host({ ansible_connection: 'smart' })).connection).toBe('ssh');
    expect(connectionSpec(host({ ansible_connection: 'local' })).connection).toBe('local');
    expect(() => connectionSpec(host({ ansible_connection: 'docker' }))).toThrow(
      "host 'hv01.dc1': ansible_connection 'docker' is not supported (use ssh or local)",
    );
  });

  it('takes ansible_become_pass too, and the later alias wins as in Ansible', () => {
    expect(connectionSpec(host({ ansible_become_pass: 'p1' })).becomePassword).toBe('p1');
    expect(connectionSpec(host({ ansible_become_password: 'p0', ansible_become_pass: 'p1' })).becomePassword).toBe('p1');
    expect(connectionSpec(host({ ansible_host: 'a', ansible_ssh_host: 'b' })).address).toBe('b');
    expect(connectionSpec(host({ ansible_become_pass: 12345 })).becomePassword).toBe('12345');
  });

  it.each([
    ['-J jump.example.test', 'jump.example.test'],
    ['-Jops@198.18.0.1:2222', 'ops@198.18.0.1:2222'],
    ['-o "ProxyJump ops@198.18.0.1"', 'ops@198.18.0.1'],
    ['-oProxyJump=ssh://ops@198.18.0.1:2222', 'ops@198.18.0.1:2222'],
    [`-o ProxyCommand="ssh -W %h:%p -q ops@198.18.0.1"`, 'ops@198.18.0.1'],
    [`-o ProxyCommand="ssh -p 2222 -l ops -W %h:%p 198.18.0.1"`, 'ops@198.18.0.1:2222'],
    ['-o ProxyJump=none', undefined],
    ['-o ProxyJump=first@a -J second@b', 'first@a'],
    ['-C -o ServerAliveInterval=5', undefined],
  ])('finds the jump host in %s', (args, jump) => {
    expect(connectionSpec(host({ ansible_ssh_common_args: args })).proxyJump).toBe(jump);
  });

  it('refuses what it cannot honour instead of ignoring it', () => {
    expect(() => connectionSpec(host({ ansible_ssh_common_args: '-J a@b,c@d' }))).toThrow(
      "more than one jump host ('a@b,c@d') is not supported",
    );
    expect(() => connectionSpec(host({ ansible_ssh_common_args: '-o ProxyCommand="nc -X 5 -x proxy:1080 %h %p"' }))).toThrow(
      'ProxyCommand',
    );
    expect(() => connectionSpec(host({ ansible_port: 'ssh' }))).toThrow(
      "host 'hv01.dc1': ansible_port must be a port number (1-65535), got 'ssh'",
    );
    expect(() => connectionSpec(host({ ansible_port: 70000 }))).toThrow('ansible_port must be a port number');
    expect(() => connectionSpec(host({ ansible_become: 'maybe' }))).toThrow(
      'ansible_become must be a boolean (yes/no, true/false), got "maybe"',
    );
    expect(() => connectionSpec(host({ ansible_host: '{{ inventory_hostname }}.mgmt' }))).toThrow(
      "ansible_host is a template ('{{ inventory_hostname }}.mgmt'), which fleet does not expand in connection vars",
    );
  });

  it('never puts a password in an error message', () => {
    let message = '';
    try {
      connectionSpec(host({ ansible_become_password: '{{ vault_pw }}' }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe("host 'hv01.dc1': ansible_become_password is a template, which fleet does not expand in connection vars");
  });
});
