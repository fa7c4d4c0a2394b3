import { describe, expect, it } from 'vitest';
import { compareToBaseline, HUNT_KINDS, type Baseline, type SecurityState } from '../../src/main/core/dr/security/baseline';
import { breachScopeCsv, csvField, gdprClock } from '../../src/main/core/dr/security/breach';
import { copyBeforeRepairChecklist } from '../../src/main/core/dr/security/integrity';

describe('breach scope CSV', () => {
  it('quotes fields and defuses formulas with a leading quote', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    for (const f of ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tTAB']) expect(csvField(f).replace(/^"/, '').startsWith(`'`), f).toBe(true);
    const csv = breachScopeCsv({
      role: 'agency',
      tenants: [
        { tenant: 'org_a', via: ['grant', 'membership:team'], contacts: { organization: '=cmd|calc', owners: [{ email: 'o@a.example', name: 'Ann, Owner' }, { email: 'p@a.example' }] } },
        { tenant: 'org_b', via: ['default_privileges'] },
      ],
    });
    expect(csv.split('\r\n')).toEqual([
      'role,tenant,via,organization,owner_email,owner_name',
      `agency,org_a,grant; membership:team,"'=cmd|calc",o@a.example,"Ann, Owner"`,
      `agency,org_a,grant; membership:team,"'=cmd|calc",p@a.example,`,
      'agency,org_b,default_privileges,,,',
      '',
    ]);
  });
});

describe('GDPR clock', () => {
  it('runs 72 hours from awareness and says when it is overdue', () => {
    expect(gdprClock('2026-12-01T10:00:00Z', new Date('2026-12-02T10:00:00Z'))).toEqual({ awareAt: '2026-12-01T10:00:00.000Z', deadline: '2026-12-04T10:00:00.000Z', remainingSec: 48 * 3600, overdue: false });
    expect(gdprClock('2026-12-01T10:00:00+01:00', new Date('2026-12-04T09:00:01Z'))).toMatchObject({ deadline: '2026-12-04T09:00:00.000Z', remainingSec: -1, overdue: true });
    expect(() => gdprClock('yesterday', new Date())).toThrow(/ISO 8601/);
  });
});

describe('copy-before-repair checklist', () => {
  it('names the server\'s data directory and tablespaces, every value shell-quoted', () => {
    const text = copyBeforeRepairChecklist({ dataDirectory: "/var/lib/postgresql/15/it's", serverVersionNum: 150018, clusterName: '15/main', tablespaces: [{ name: 'fast$(rm -rf /)', location: '/ssd/ts' }], copyTo: '/mnt/ev', stamp: '20261201T1000' });
    expect(text).toContain(`pg_ctl -D '/var/lib/postgresql/15/it'\\''s' stop -m fast`);
    expect(text).toContain(`rsync -aHAX --numeric-ids '/var/lib/postgresql/15/it'\\''s'/ '/mnt/ev/pgdata-20261201T1000'/`);
    expect(text).toContain(`'/ssd/ts'/ '/mnt/ev/tablespace-fast$(rm -rf /)-20261201T1000'/`);
    expect(text).toContain('/usr/lib/postgresql/15/bin/pg_checksums --check');
    expect(text).toContain('pg_ctlcluster 15 main stop');
    expect(text).not.toMatch(/could not be read/);
    expect(copyBeforeRepairChecklist({ dataDirectory: null, serverVersionNum: 160002, tablespaces: [], stamp: 's' })).toMatch(/could not be read with this connection[\s\S]*pg_ctl -D '\/path\/to\/data_directory'/);
  });
});

describe('persistence hunt comparison', () => {
  const state = (over: Partial<SecurityState> = {}): SecurityState => ({
    roles: [{ role: 'app', superuser: false, canLogin: true, bypassRls: false, memberOf: [] }],
    securityDefinerFunctions: [],
    eventTriggers: [],
    extensions: [{ name: 'plpgsql', version: '1.0', schema: 'pg_catalog' }],
    untrustedLanguages: [],
    hbaRules: [{ line: 1, rule: 'host all all 10.0.0.0/8 scram-sha-256' }],
    tenantFunctions: [],
    ...over,
  });
  const baseline: Baseline = { format: 'podcastflow-ops/security-baseline', version: 1, connectionId: 'c', database: 'd', recordedAt: '2026-12-01T00:00:00.000Z', state: state() };

  it('finds nothing when nothing changed, even with the hba rules moved to other lines', () => {
    expect(compareToBaseline(baseline, state({ hbaRules: [{ line: 7, rule: 'host all all 10.0.0.0/8 scram-sha-256' }] })).findings).toEqual([]);
  });

  it('names each kind of change once', () => {
    const now = state({
      roles: [{ role: 'app', superuser: true, canLogin: true, bypassRls: false, memberOf: ['pg_execute_server_program'] }],
      eventTriggers: [{ name: 'keep', event: 'ddl_command_end', function: 'public.f()' }],
      extensions: [{ name: 'plpgsql', version: '1.0', schema: 'pg_catalog' }, { name: 'plperlu', version: '1.0', schema: 'pg_catalog' }],
      untrustedLanguages: ['plperlu'],
      hbaRules: [{ line: 1, rule: 'host all all 0.0.0.0/0 trust' }],
      tenantFunctions: [{ tenant: 'org_a', object: 'org_a.exfil()', owner: 'app' }],
    });
    // Every kind but the two the integration test plants (a new role, a SECURITY DEFINER function), in order.
    expect(compareToBaseline(baseline, now).findings.map((f) => f.kind)).toEqual(HUNT_KINDS.filter((k) => k !== 'new_role' && k !== 'new_security_definer_function'));
    expect(compareToBaseline(baseline, state({ hbaRules: null })).notes[0]).toMatch(/not readable with this connection now/);
  });
});
