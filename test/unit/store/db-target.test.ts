/** --db targets: which backend, and passwords masked wherever a target is printed. */
import { describe, expect, it } from 'vitest';
import { isPostgresUrl, maskDbTarget, maskTargetIn, passwordsOf } from '../../../src/store/db-target.js';
import { describeDbTarget } from '../../../src/store/open.js';

describe('db targets', () => {
  it('takes postgres:// and postgresql:// URLs for PostgreSQL and anything else for an SQLite path', () => {
    for (const t of ['postgres://h/db', 'postgresql://u@h/db', 'POSTGRES://h', 'postgresql:///db?host=/run/postgresql']) {
      expect(isPostgresUrl(t)).toBe(true);
    }
    for (const t of ['fleet.db', './postgres://x', '/var/lib/fleet/postgres.db', 'postgres:/h/db', 'mysql://h/db', '']) {
      expect(isPostgresUrl(t)).toBe(false);
    }
  });

  it('masks the password in the user info and in ?password=, and nothing else', () => {
    expect(maskDbTarget('postgres://fleet:s3cret@db.example:5432/fleet')).toBe('postgres://fleet:********@db.example:5432/fleet');
    expect(maskDbTarget('postgresql://fleet:p@ss@w0rd@/fleet?host=/run/postgresql')).toBe(
      'postgresql://fleet:********@/fleet?host=/run/postgresql',
    );
    expect(maskDbTarget('postgres:///fleet?user=a&password=xyz&host=/s')).toBe('postgres:///fleet?user=a&password=********&host=/s');
    expect(maskDbTarget('postgres://fleet@h/db')).toBe('postgres://fleet@h/db');
    expect(maskDbTarget('postgres://h/db?sslmode=require')).toBe('postgres://h/db?sslmode=require');
    expect(maskDbTarget('/tmp/user:pw@host/fleet.db')).toBe('/tmp/user:pw@host/fleet.db'); // a path is a path
  });

  it('finds every spelling of the password, percent-encoded or not, and masks them in any text', () => {
    const url = 'postgres://fleet:a%40b%2Fc@h/db?password=second1';
    expect(passwordsOf(url).sort()).toEqual(['a%40b%2Fc', 'a@b/c', 'second1']);
    expect(maskTargetIn(url, `cannot reach ${url}: auth a@b/c failed (second1)`)).toBe(
      'cannot reach postgres://fleet:********@h/db?password=********: auth ******** failed (********)',
    );
  });

  it('describes a target for users: the masked URL, or the absolute path of the file', () => {
    expect(describeDbTarget('postgres://u:pw@h/db', '/srv')).toBe('postgres://u:********@h/db');
    expect(describeDbTarget('results/fleet.db', '/srv')).toBe('/srv/results/fleet.db');
  });
});
