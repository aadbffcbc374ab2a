import { describe, expect, test } from 'vitest';
import type { BecomeProtocol } from '../../../src/transport/remote-command.js';
import { SudoDialogue } from '../../../src/transport/sudo-dialogue.js';

const protocol: BecomeProtocol = { user: 'root', withPassword: true, prompt: '[fleet-sudo-password-abc]', marker: 'FLEET-BECOME-OK-abc' };

function setup(password: string | undefined, p: BecomeProtocol = protocol) {
  const log: string[] = [];
  const held: string[] = [];
  const d = new SudoDialogue(p, password, {
    write: (b) => log.push(`write:${b.toString()}`),
    endInput: () => log.push('end'),
    onRunning: (h) => {
      log.push('running');
      held.push(h.toString());
    },
  });
  return { d, log, held };
}

describe('SudoDialogue', () => {
  test('sends the password once, after the prompt, then lets the command start', () => {
    const { d, log } = setup('s3cret');
    expect(d.stderr(Buffer.from('[fleet-sudo-pass'))).toHaveLength(0);
    expect(log).toEqual([]); // prompt not complete yet
    d.stderr(Buffer.from('word-abc]'));
    expect(log).toEqual(['write:s3cret\n']);
    expect(d.stdout(Buffer.from('FLEET-BECOME'))).toHaveLength(0);
    expect(d.stdout(Buffer.from('-OK-abc\nhello\n')).toString()).toBe('hello\n');
    expect(log).toEqual(['write:s3cret\n', 'running']);
    expect(d.stdout(Buffer.from('more')).toString()).toBe('more');
    expect(d.stderr(Buffer.from('cmd err')).toString()).toBe('cmd err');
    expect(d.finish()).toEqual({ stdout: Buffer.alloc(0), stderr: '' });
  });

  test('no prompt (NOPASSWD or cached): the password is never written', () => {
    const { d, log } = setup('s3cret');
    expect(d.stdout(Buffer.from('FLEET-BECOME-OK-abc\nout')).toString()).toBe('out');
    expect(log).toEqual(['running']);
  });

  test('a second prompt means a wrong password: stdin is closed and the result explains', () => {
    const { d, log } = setup('wrong');
    d.stderr(Buffer.from('[fleet-sudo-password-abc]'));
    d.stderr(Buffer.from('Sorry, try again.\n[fleet-sudo-password-abc]'));
    expect(log).toEqual(['write:wrong\n', 'end']);
    expect(d.passwordRejected).toBe(true);
    d.stderr(Buffer.from('sudo: 1 incorrect password attempt\n'));
    const { stderr } = d.finish();
    expect(stderr).toBe(
      'fleet: sudo rejected the become password (become user root)\nSorry, try again.\nsudo: 1 incorrect password attempt\n',
    );
    expect(stderr).not.toContain('fleet-sudo-password');
  });

  test('stderr held before the start is handed over without the prompt', () => {
    const { d, held } = setup('pw');
    d.stderr(Buffer.from('lecture\n[fleet-sudo-password-abc]'));
    d.stdout(Buffer.from('FLEET-BECOME-OK-abc\n'));
    expect(held).toEqual(['lecture\n']);
  });

  test('without a password (sudo -n) a required password is explained', () => {
    const { d } = setup(undefined, { ...protocol, withPassword: false });
    d.stderr(Buffer.from('sudo: a password is required\n'));
    expect(d.finish().stderr).toMatch(/^fleet: sudo needs a password to become root and none was given/);
  });

  test('stdout that is not the marker is passed through untouched', () => {
    const { d } = setup(undefined, { ...protocol, withPassword: false });
    expect(d.stdout(Buffer.from('something else entirely')).toString()).toBe('something else entirely');
  });
});
