/**
 * A differential report: what changed between two health reports of the same connection (what
 * pg_profile does for two intervals, and what pgBadger's users asked for). The result is a report like
 * any other (kind "diff"), so it is saved, rendered and exported the same way.
 */
import { REPORT_SECTIONS, type DiffSection, type Report, type ReportFinding } from '../../../shared/domain/reports';
import { OpsError } from '../util/errors';

/**
 * A finding's identity across two runs: its check and the object (or tenant) it is about. The message
 * is used only where there is no object, since messages carry figures that move between runs.
 */
function findingKey(f: ReportFinding): string {
  return f.object !== undefined || f.tenant !== undefined ? `${f.check}\u0000${f.tenant ?? ''}\u0000${f.object ?? ''}` : `${f.check}\u0000\u0000${f.message}`;
}

function added<T>(before: T[], after: T[], key: (t: T) => string): T[] {
  const seen = new Set(before.map(key));
  const out = new Map<string, T>();
  for (const t of after) if (!seen.has(key(t)) && !out.has(key(t))) out.set(key(t), t);
  return [...out.values()];
}

/** An RPO moved when a tenant gained or lost a verified backup, or got a newer one: not when it merely aged. */
const RPO_SLACK_SEC = 60;

export function diffReports(a: Report, b: Report, now = new Date()): Report {
  if (a.kind !== 'health' || b.kind !== 'health') throw new OpsError('report_mismatch', 'Only health reports can be compared.', 'Pick two reports generated from a connection (not a diff or an incident record).');
  if (a.connection.key !== b.connection.key) throw new OpsError('report_mismatch', `The reports are of different connections (${a.connection.key} and ${b.connection.key}).`, 'Pick two reports of the same connection.');
  // Older first, whatever order they were given in.
  const [from, to] = a.generatedAt <= b.generatedAt ? [a, b] : [b, a];
  const f = from.sections;
  const t = to.sections;
  const notCompared = REPORT_SECTIONS.filter((s) => Boolean(f[s]) !== Boolean(t[s]));

  const checks: DiffSection['checks'] = [];
  const metrics: DiffSection['metrics'] = [];
  let findings: DiffSection['findings'] = { new: [], resolved: [] };
  if (f.health && t.health) {
    for (const c of t.health.checks) {
      const old = f.health.checks.find((x) => x.id === c.id);
      if (!old) continue;
      if (old.status !== c.status) checks.push({ id: c.id, title: c.title, from: old.status, to: c.status });
      if (old.value !== undefined && c.value !== undefined && old.value !== c.value) metrics.push({ check: c.id, from: old.value, to: c.value, delta: c.value - old.value });
    }
    findings = { new: added(f.health.findings, t.health.findings, findingKey), resolved: added(t.health.findings, f.health.findings, findingKey) };
  }

  const tenants: DiffSection['tenants'] = { appeared: [], disappeared: [], changed: [], violations: { new: [], resolved: [] } };
  if (f.tenants && t.tenants) {
    const before = new Set(f.tenants.names);
    const after = new Set(t.tenants.names);
    tenants.appeared = t.tenants.names.filter((n) => !before.has(n));
    tenants.disappeared = f.tenants.names.filter((n) => !after.has(n));
    const count = (rows: typeof f.tenants.perTenant) => new Map(rows.map((r) => [r.tenant, r.violations]));
    const cb = count(f.tenants.perTenant);
    const ca = count(t.tenants.perTenant);
    const both = [...new Set([...cb.keys(), ...ca.keys()])].filter((n) => n === '(shared)' || (before.has(n) && after.has(n))).sort();
    tenants.changed = both.flatMap((tenant) => ((cb.get(tenant) ?? 0) !== (ca.get(tenant) ?? 0) ? [{ tenant, from: cb.get(tenant) ?? 0, to: ca.get(tenant) ?? 0 }] : []));
    const vkey = (v: (typeof f.tenants.list)[number]) => `${v.tenant ?? '(shared)'}: ${v.kind}${v.object ? ` ${v.object}` : ''}`;
    tenants.violations = { new: [...new Set(added(f.tenants.list, t.tenants.list, vkey).map(vkey))], resolved: [...new Set(added(t.tenants.list, f.tenants.list, vkey).map(vkey))] };
  }

  const rpo: DiffSection['rpo'] = [];
  if (f.backups && t.backups) {
    const elapsed = (Date.parse(to.generatedAt) - Date.parse(from.generatedAt)) / 1000;
    const old = new Map(f.backups.rpo.rows.map((r) => [r.tenant ?? r.database, r.verifiedAgeSec]));
    for (const r of t.backups.rpo.rows) {
      const name = r.tenant ?? r.database;
      if (!old.has(name)) continue;
      const was = old.get(name);
      const is = r.verifiedAgeSec;
      const moved = was === undefined || is === undefined ? was !== is : Math.abs(is - was - elapsed) > RPO_SLACK_SEC;
      if (moved) rpo.push({ tenant: name, ...(was !== undefined ? { fromSec: was } : {}), ...(is !== undefined ? { toSec: is } : {}) });
    }
  }

  const ref = (r: Report) => ({ ...(r.id ? { id: r.id } : {}), generatedAt: r.generatedAt, status: r.status, period: r.period });
  const diff: DiffSection = { from: ref(from), to: ref(to), checks, findings, metrics, tenants, rpo, notCompared };
  const worse = checks.some((c) => c.to === 'fail') || tenants.violations.new.length > 0;
  return {
    schema: to.schema,
    version: to.version,
    kind: 'diff',
    generatedAt: now.toISOString(),
    generator: to.generator,
    connection: to.connection,
    period: { from: from.generatedAt, to: to.generatedAt },
    // A diff's status is the newer report's: what the connection is now.
    status: worse && to.status === 'ok' ? 'warning' : to.status,
    sections: { diff },
  };
}
