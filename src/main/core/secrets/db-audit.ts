import type { AuditFinding, AuditSeverity } from '../../../shared/domain/secrets';
import type { Database } from '../db/database';
import { loadSql } from '../db/sql';
import { fingerprint } from './findings';

/** The database category: password hashing, superuser logins, PUBLIC CREATE, SSL, MD5 roles where visible. */
export async function auditDatabase(db: Database, signal?: AbortSignal): Promise<{ findings: AuditFinding[]; notes: string[] }> {
  const where = `${db.target.host}:${db.target.port}/${db.target.database}`;
  const toFinding = (rule: string, severity: AuditSeverity, object: string, message: string): AuditFinding => ({
    category: 'database',
    rule,
    severity,
    secretId: object,
    message: `${where}: ${message}`,
    fingerprint: fingerprint(rule, `${where}/${object}`, ''),
  });
  const opts = { timeoutMs: 15_000, ...(signal ? { signal } : {}) };
  const rows = await db.query<{ rule: string; severity: AuditSeverity; object: string; message: string }>(loadSql('secrets/database_posture'), [], opts);
  const findings = rows.rows.map((r) => toFinding(r.rule, r.severity, r.object, r.message));
  const notes: string[] = [];
  try {
    const md5 = await db.query<{ rolname: string }>(loadSql('secrets/md5_roles'), [], opts);
    for (const r of md5.rows) findings.push(toFinding('db-md5-password', 'high', r.rolname, `role ${r.rolname} has an MD5 password hash; reset it under scram-sha-256`));
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err;
    notes.push('MD5 password hashes not checked: pg_authid is readable by superusers only.');
  }
  return { findings, notes };
}
