import { z } from 'zod';
import { PasswordSource } from '../vocabulary';

// The secrets audit (DESIGN §3) and Secrets Manager inventory. Values never cross this boundary:
// only ids, masked text and fingerprints.

export const AuditCategory = z.enum(['code', 'env', 'aws', 'database']);
export type AuditCategory = z.infer<typeof AuditCategory>;
export const AuditSeverity = z.enum(['low', 'medium', 'high', 'critical']);
export type AuditSeverity = z.infer<typeof AuditSeverity>;

export const AuditFinding = z.object({
  category: AuditCategory,
  rule: z.string(),
  severity: AuditSeverity,
  file: z.string().optional(),
  line: z.number().int().optional(),
  secretId: z.string().optional(),
  message: z.string(),
  /** The matched value, masked (first and last characters at most). */
  masked: z.string().optional(),
  fingerprint: z.string().optional(),
});
export type AuditFinding = z.infer<typeof AuditFinding>;

export const AuditSummary = z.object({
  total: z.number().int(),
  bySeverity: z.record(AuditSeverity, z.number().int()),
  byCategory: z.record(AuditCategory, z.number().int()),
  suppressed: z.number().int(),
  filesScanned: z.number().int(),
  secretsChecked: z.number().int(),
  worst: AuditSeverity.nullable(),
  /** Parts that could not run (AWS unreachable, no database): said, not hidden. */
  skipped: z.array(z.object({ category: AuditCategory, reason: z.string() })),
});
export type AuditSummary = z.infer<typeof AuditSummary>;

export const AuditReport = z.object({ findings: z.array(AuditFinding), summary: AuditSummary, durationMs: z.number() });
export type AuditReport = z.infer<typeof AuditReport>;

export const SecretRef = z
  .object({
    id: z.string().trim().min(1).max(2048),
    region: z.string().trim().regex(/^[a-z0-9-]{1,32}$/).optional(),
    profile: z.string().trim().min(1).max(128).optional(),
  })
  .strict();
export type SecretRef = z.infer<typeof SecretRef>;

export const PostureIssue = z.object({ rule: z.string(), severity: AuditSeverity, message: z.string() });

export const SecretSummary = z.object({
  name: z.string(),
  arn: z.string().optional(),
  description: z.string().optional(),
  rotationEnabled: z.boolean(),
  rotationDays: z.number().optional(),
  lastRotated: z.string().optional(),
  lastAccessed: z.string().optional(),
  nextRotation: z.string().optional(),
  kmsKeyId: z.string().optional(),
  posture: z.array(PostureIssue),
});
export type SecretSummary = z.infer<typeof SecretSummary>;

export const CredentialSourceView = z.object({
  connectionId: z.string(),
  name: z.string(),
  /** A profile's password source, or secrets-manager-cache: the last good Secrets Manager answer, used while it is unreachable. */
  kind: z.enum([...PasswordSource.options, 'secrets-manager-cache']),
  /** "Secrets Manager podcastflow/database, version …" or "environment: Secrets Manager unreachable". */
  detail: z.string(),
  warning: z.string().optional(),
  secret: SecretRef.optional(),
});
export type CredentialSourceView = z.infer<typeof CredentialSourceView>;

const AwsScope = z.object({ region: SecretRef.shape.region, profile: SecretRef.shape.profile }).strict();

export const secretsContract = {
  'secrets.sources': {
    input: z.object({}).strict(),
    output: z.object({ sources: z.array(CredentialSourceView) }),
  },
  'secrets.inventory': {
    // ListSecrets page by page (at most 100 a page): the cursor is AWS's NextToken.
    input: AwsScope.extend({ cursor: z.string().max(4096).optional(), maxAgeDays: z.number().int().min(1).max(3650).optional() }).strict(),
    output: z.object({ secrets: z.array(SecretSummary), nextCursor: z.string().optional() }),
  },
  'secrets.audit.start': {
    input: z
      .object({
        path: z.string().trim().max(4096).optional(),
        aws: z.boolean().default(false),
        database: z.boolean().default(false),
        connectionId: z.string().optional(),
        region: SecretRef.shape.region,
        profile: SecretRef.shape.profile,
      })
      .strict(),
    output: z.object({ taskId: z.string() }),
  },
  'secrets.audit.result': {
    input: z.object({ taskId: z.string() }).strict(),
    output: z.object({ status: z.enum(['running', 'succeeded', 'failed', 'cancelled', 'unknown']), report: AuditReport.optional(), path: z.string().optional() }),
  },
  'secrets.suppress': {
    // Adds the fingerprint (never the value) to the scanned folder's baseline file.
    input: z.object({ path: z.string().trim().min(1).max(4096), fingerprint: z.string().regex(/^[a-f0-9]{64}$/), note: z.string().max(200).optional() }).strict(),
    output: z.object({ baselineFile: z.string(), suppressed: z.number().int() }),
  },
  'secrets.rotate': {
    input: AwsScope.extend({ secretId: z.string().min(1).max(2048), confirm: z.string().max(2048) }).strict(),
    output: z.object({ versionId: z.string().optional(), refreshed: z.array(z.string()) }),
  },
} as const;
