import { ListSecretsCommand, RotateSecretCommand, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import type { AuditFinding, SecretSummary } from '../../../shared/domain/secrets';
import { awsConfigured } from '../util/aws-client';
import { OpsError } from '../util/errors';
import { awsError, secretsClient, type AwsScope } from './aws';
import { fingerprint } from './findings';

export const DEFAULT_MAX_AGE_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * The AWS Config managed rules for Secrets Manager, evaluated on a ListSecrets entry:
 * rotation-enabled-check, secret-periodic-rotation, scheduled-rotation-success-check,
 * secret-unused and using-cmk.
 */
export function posture(s: SecretListEntry, maxAgeDays = DEFAULT_MAX_AGE_DAYS, now = Date.now()): SecretSummary['posture'] {
  const out: SecretSummary['posture'] = [];
  const maxAgeMs = maxAgeDays * DAY_MS;
  const days = (d: Date) => Math.floor((now - d.getTime()) / DAY_MS);
  if (!s.RotationEnabled) out.push({ rule: 'aws-rotation-disabled', severity: 'high', message: 'Rotation is not enabled' });
  const rotatedOrCreated = s.LastRotatedDate ?? s.CreatedDate;
  if (rotatedOrCreated && now - rotatedOrCreated.getTime() > maxAgeMs) {
    out.push({ rule: 'aws-rotation-stale', severity: 'medium', message: s.LastRotatedDate ? `Last rotated ${days(s.LastRotatedDate)} days ago (limit ${maxAgeDays})` : `Never rotated; created ${days(rotatedOrCreated)} days ago (limit ${maxAgeDays})` });
  }
  if (s.RotationEnabled) {
    const every = s.RotationRules?.AutomaticallyAfterDays;
    const due = s.NextRotationDate ?? (every && s.LastRotatedDate ? new Date(s.LastRotatedDate.getTime() + every * DAY_MS) : undefined);
    // A day of grace: rotation windows are not to the minute.
    if (due && now - due.getTime() > DAY_MS) out.push({ rule: 'aws-rotation-overdue', severity: 'high', message: `Scheduled rotation overdue since ${due.toISOString().slice(0, 10)}: the rotation function may be failing` });
  }
  if (s.LastAccessedDate && now - s.LastAccessedDate.getTime() > maxAgeMs) {
    out.push({ rule: 'aws-secret-unused', severity: 'low', message: `Not accessed for ${days(s.LastAccessedDate)} days (limit ${maxAgeDays}); delete it if nothing needs it` });
  }
  if (!s.KmsKeyId || /alias\/aws\/secretsmanager$/.test(s.KmsKeyId)) out.push({ rule: 'aws-no-cmk', severity: 'low', message: 'Encrypted with the AWS-managed key, not a customer-managed KMS key' });
  return out;
}

export function summaryOf(s: SecretListEntry, maxAgeDays?: number): SecretSummary {
  const iso = (d?: Date) => (d ? d.toISOString() : undefined);
  const opt = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
  return {
    name: s.Name ?? s.ARN ?? '(unnamed)',
    ...opt('arn', s.ARN),
    ...opt('description', s.Description),
    rotationEnabled: Boolean(s.RotationEnabled),
    ...opt('rotationDays', s.RotationRules?.AutomaticallyAfterDays),
    ...opt('lastRotated', iso(s.LastRotatedDate)),
    ...opt('lastAccessed', iso(s.LastAccessedDate)),
    ...opt('nextRotation', iso(s.NextRotationDate)),
    ...opt('kmsKeyId', s.KmsKeyId),
    posture: posture(s, maxAgeDays),
  };
}

/** One page of the inventory (at most 100), with posture. */
export async function listSecretsPage(scope: AwsScope, cursor?: string, maxAgeDays?: number): Promise<{ secrets: SecretSummary[]; nextCursor?: string }> {
  if (!(await awsConfigured(scope))) {
    throw new OpsError(
      'aws_not_configured',
      'No AWS configuration found (no AWS credentials, profile or region in the environment, no ~/.aws/config or ~/.aws/credentials); Secrets Manager was not asked.',
      'Run `aws configure` or set AWS_PROFILE / AWS_REGION (or pass --region / --profile); on an instance with a role, set AWS_REGION.',
    );
  }
  try {
    const r = await secretsClient(scope).send(new ListSecretsCommand({ MaxResults: 100, ...(cursor ? { NextToken: cursor } : {}) }));
    return { secrets: (r.SecretList ?? []).map((s) => summaryOf(s, maxAgeDays)), ...(r.NextToken ? { nextCursor: r.NextToken } : {}) };
  } catch (err) {
    throw awsError(err, 'Listing secrets', scope);
  }
}

/** Every secret (ListSecrets followed page by page) as audit findings. */
export async function auditAws(scope: AwsScope, opts: { maxAgeDays?: number; signal?: AbortSignal; progress?: (n: number) => void } = {}): Promise<{ findings: AuditFinding[]; secretsChecked: number }> {
  const findings: AuditFinding[] = [];
  let cursor: string | undefined;
  let checked = 0;
  do {
    if (opts.signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
    const page = await listSecretsPage(scope, cursor, opts.maxAgeDays);
    for (const s of page.secrets) {
      checked++;
      for (const p of s.posture) findings.push({ category: 'aws', rule: p.rule, severity: p.severity, secretId: s.name, message: `${s.name}: ${p.message}`, fingerprint: fingerprint(p.rule, s.arn ?? s.name, '') });
    }
    opts.progress?.(checked);
    cursor = page.nextCursor;
  } while (cursor);
  return { findings, secretsChecked: checked };
}

/** RotateSecret now (rotation must be configured); the caller refreshes dependent connections. */
export async function rotateNow(scope: AwsScope, secretId: string): Promise<{ versionId?: string }> {
  try {
    const r = await secretsClient(scope).send(new RotateSecretCommand({ SecretId: secretId, RotateImmediately: true }));
    return r.VersionId ? { versionId: r.VersionId } : {};
  } catch (err) {
    throw awsError(err, `Rotating ${secretId}`, scope);
  }
}
