import { resolve } from 'node:path';
import type { AuditFinding, AuditReport, AuditSummary } from '../../../shared/domain/secrets';
import type { Database } from '../db/database';
import { toWireError } from '../util/errors';
import { type AwsScope } from './aws';
import { auditAws } from './aws-audit';
import { scanCode } from './code-scan';
import { auditDatabase } from './db-audit';
import { auditEnv } from './env-audit';
import { listFiles } from './files';
import { sortFindings, summarize } from './findings';

export interface AuditRequest {
  /** A project folder: code and env categories. */
  path?: string;
  /** Audit Secrets Manager (every secret). */
  aws?: AwsScope & { maxAgeDays?: number };
  /** Audit this database's credential posture. */
  db?: Database;
}

export interface AuditContext {
  signal?: AbortSignal;
  progress?(done: number, total?: number, unit?: string): void;
  log?(message: string): void;
}

/**
 * The secrets audit (DESIGN §3): code, env, aws, database. A part that cannot run (AWS unreachable,
 * database down) is listed under summary.skipped rather than failing the rest; a cancel stops all.
 */
export async function runAudit(req: AuditRequest, ctx: AuditContext = {}): Promise<AuditReport> {
  const started = performance.now();
  const findings: AuditFinding[] = [];
  const skipped: AuditSummary['skipped'] = [];
  let suppressed = 0;
  let filesScanned = 0;
  let secretsChecked = 0;
  const cancelled = () => ctx.signal?.aborted === true;

  if (req.path) {
    const root = resolve(req.path);
    ctx.log?.(`Listing files under ${root}…`);
    const listing = await listFiles(root, ctx.signal);
    ctx.log?.(`${listing.files.length} files${listing.git ? ' (git work tree)' : ''}; ${listing.skippedLarge} over 1 MiB skipped.`);
    const code = await scanCode(listing, { ...(ctx.signal ? { signal: ctx.signal } : {}), progress: (d, t) => ctx.progress?.(d, t, 'files') });
    findings.push(...code.findings);
    suppressed += code.suppressed;
    filesScanned = code.filesScanned;
    const env = await auditEnv(listing, ctx.signal);
    findings.push(...env);
    ctx.log?.(`Code: ${code.findings.length} findings (${code.suppressed} suppressed by the baseline, .gitleaksignore or gitleaks:allow); env: ${env.length}.`);
  }
  if (req.aws && !cancelled()) {
    ctx.log?.('Listing Secrets Manager secrets…');
    try {
      const r = await auditAws(req.aws, { ...(req.aws.maxAgeDays ? { maxAgeDays: req.aws.maxAgeDays } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}), progress: (n) => ctx.progress?.(n, undefined, 'secrets') });
      findings.push(...r.findings);
      secretsChecked = r.secretsChecked;
      ctx.log?.(`AWS: ${r.secretsChecked} secrets, ${r.findings.length} findings.`);
    } catch (err) {
      if (cancelled()) throw err;
      skipped.push({ category: 'aws', reason: toWireError(err).message });
    }
  }
  if (req.db && !cancelled()) {
    ctx.log?.('Checking the database credential posture…');
    try {
      const r = await auditDatabase(req.db, ctx.signal);
      findings.push(...r.findings);
      for (const n of r.notes) ctx.log?.(n);
    } catch (err) {
      if (cancelled()) throw err;
      skipped.push({ category: 'database', reason: toWireError(err).message });
    }
  }
  if (cancelled()) throw ctx.signal!.reason ?? new Error('Cancelled.');
  const sorted = sortFindings(findings);
  return { findings: sorted, summary: summarize(sorted, { suppressed, filesScanned, secretsChecked, skipped }), durationMs: Math.round(performance.now() - started) };
}
