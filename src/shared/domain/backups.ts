import { z } from 'zod';
import { BackupKind, ScheduledBackupKind } from '../vocabulary';

export { BackupKind };

/** Sizes and hashes of one object (DESIGN §4). */
const Digest = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** A backup's manifest, <name>.manifest.json (DESIGN §4). The HMAC covers everything but itself. */
export const Manifest = z.object({
  format: z.literal('podcastflow-ops-backup'),
  formatVersion: z.literal(1),
  id: z.string(),
  name: z.string(),
  kind: BackupKind,
  tenant: z.string().optional(),
  tenants: z.array(z.string()).optional(),
  database: z.object({ name: z.string(), host: z.string(), port: z.number().int(), serverVersion: z.string(), serverVersionNum: z.number().int() }),
  pgDump: z.object({ version: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  files: z.object({ dump: z.string(), restoreScript: z.string(), globals: z.string().optional() }),
  plaintext: Digest,
  ciphertext: Digest,
  encryption: z.object({ cipher: z.literal('aes-256-cbc'), kdf: z.literal('pbkdf2-hmac-sha256'), iterations: z.number().int().min(600_000), keyId: z.string(), format: z.literal('openssl-salted') }),
  globals: z.object({ included: z.boolean(), note: z.string().optional(), plaintext: Digest.optional(), ciphertext: Digest.optional() }).optional(),
  tables: z.array(z.object({ schema: z.string(), table: z.string(), rows: z.number().int().nonnegative() })),
  hmac: z.object({ alg: z.literal('HMAC-SHA256'), value: z.string() }),
});
export type Manifest = z.infer<typeof Manifest>;

/** Written beside the manifest by `verify`: <name>.verify.json. */
export const VerifyRecord = z.object({
  backupId: z.string(),
  ok: z.boolean(),
  verifiedAt: z.string(),
  durationMs: z.number(),
  tablesCompared: z.number().int(),
  rowsCompared: z.number(),
  mismatches: z.array(z.object({ schema: z.string(), table: z.string(), expected: z.number().nullable(), actual: z.number().nullable() })),
  error: z.string().optional(),
  /** restorable / not-restorable are verdicts about the backup; could-not-verify (no tool, lost session, cancel) is not. Absent in old records: from ok. */
  status: z.enum(['restorable', 'not-restorable', 'could-not-verify']).optional(),
});
export type VerifyRecord = z.infer<typeof VerifyRecord>;

/** Backup result (DESIGN §3). */
export const BackupResult = z.object({
  id: z.string(),
  /** DESIGN §3: an all-tenants backup reports as tenant. */
  kind: BackupKind.extract(['full', 'tenant']),
  tenant: z.string().optional(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  location: z.string(),
  manifest: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  durationMs: z.number(),
});
export type BackupResult = z.infer<typeof BackupResult>;

/** What a restore did (the backups.restore task's result). */
export const RestoreResult = z.object({
  backupId: z.string(),
  kind: Manifest.shape.kind,
  mode: z.enum(['side-schema', 'replace', 'new-database', 'existing-database']),
  tenant: z.string().optional(),
  database: z.string(),
  schema: z.string().optional(),
  replacedSchema: z.string().optional(),
  safetyBackup: z.string().optional(),
  tables: z.number().int(),
  rows: z.number(),
  mismatches: VerifyRecord.shape.mismatches,
  durationMs: z.number(),
});
export type RestoreResult = z.infer<typeof RestoreResult>;

export const CatalogEntry = z.object({
  id: z.string(),
  kind: BackupKind,
  tenant: z.string().optional(),
  tenantCount: z.number().int().optional(),
  database: z.string(),
  finishedAt: z.string(),
  ageSec: z.number(),
  bytes: z.number(),
  keyId: z.string(),
  location: z.string(),
  manifest: z.string(),
  verified: z.object({ ok: z.boolean(), at: z.string(), detail: z.string().optional() }).optional(),
  /** The last verify that reached no verdict ("could not verify: reason"); the backup counts as unverified. */
  verifyAttempt: z.object({ at: z.string(), reason: z.string() }).optional(),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const LastBackup = z.object({ finishedAt: z.string(), kind: BackupKind, verified: z.boolean().optional() });
export type LastBackup = z.infer<typeof LastBackup>;
export const LastBackups = z.object({ byTenant: z.record(z.string(), LastBackup), lastFull: LastBackup.optional() });
export type LastBackups = z.infer<typeof LastBackups>;

export const CatalogQuery = z
  .object({
    tenant: z.string().max(63).optional(),
    kind: BackupKind.optional(),
    since: z.string().optional(),
    until: z.string().optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export const RetentionRule = z.object({ keepLast: z.number().int().min(1).max(10_000).optional(), keepDays: z.number().int().min(1).max(36_500).optional() });
export type RetentionRule = z.infer<typeof RetentionRule>;

export const RetentionPlan = z.object({
  dryRun: z.boolean(),
  keep: z.array(z.object({ id: z.string(), reason: z.string() })),
  delete: z.array(z.object({ id: z.string(), kind: BackupKind, tenant: z.string().optional(), finishedAt: z.string(), bytes: z.number() })),
  deletedBytes: z.number(),
});
export type RetentionPlan = z.infer<typeof RetentionPlan>;

export const BackupSettingsView = z.object({
  destination: z.string(),
  s3: z.object({ endpoint: z.string().optional(), region: z.string().optional(), profile: z.string().optional(), sse: z.enum(['AES256', 'aws:kms']).optional(), kmsKeyId: z.string().optional() }),
  key: z.object({ configured: z.boolean(), keyId: z.string().optional(), source: z.enum(['file', 'aws-secret']).optional(), where: z.string().optional() }),
  retention: RetentionRule,
  schedule: z.object({ enabled: z.boolean(), everyHours: z.number().int().min(1).max(168), kind: ScheduledBackupKind }),
  cronLine: z.string(),
});
export type BackupSettingsView = z.infer<typeof BackupSettingsView>;

/** A side schema a restore left beside the live tenants (never counted as a tenant). */
export const RestoredCopy = z.object({
  schema: z.string(),
  /** restored: a backup restored beside the live tenant; replaced: the live schema a replace swapped out. */
  kind: z.enum(['restored', 'replaced']),
  tenant: z.string(),
  tenantExists: z.boolean(),
  owner: z.string(),
  bytes: z.number(),
  tables: z.number().int(),
  /** From the origin recorded at restore time, else from the stamp in the name. */
  createdAt: z.string().optional(),
  ageSec: z.number().optional(),
  /** The backup it came from (restored) or the safety backup taken before the swap (replaced). */
  origin: z.object({ backupId: z.string().optional(), backup: z.string().optional(), safetyBackup: z.string().optional() }).optional(),
});
export type RestoredCopy = z.infer<typeof RestoredCopy>;

const TaskRef = z.object({ taskId: z.string() });
const connectionId = z.string().optional();

export const backupsContract = {
  'backups.settings': { input: z.object({ connectionId }).strict(), output: BackupSettingsView },
  'backups.configure': {
    input: z
      .object({
        destination: z.string().min(1).max(1000).optional(),
        s3: BackupSettingsView.shape.s3.optional(),
        keyFile: z.string().max(1000).optional(),
        keySecretId: z.string().max(512).optional(),
        retention: RetentionRule.optional(),
        schedule: BackupSettingsView.shape.schedule.optional(),
      })
      .strict(),
    output: BackupSettingsView,
  },
  /** Generate a new key file in the app's keyring; new backups use it, old keys stay for restores. */
  'backups.generateKey': { input: z.object({}).strict(), output: z.object({ keyId: z.string(), path: z.string(), warning: z.string() }) },
  'backups.list': { input: CatalogQuery.extend({ connectionId }).strict(), output: z.object({ entries: z.array(CatalogEntry), nextCursor: z.string().optional(), total: z.number().int() }) },
  'backups.lastByTenant': { input: z.object({ connectionId }).strict(), output: LastBackups },
  'backups.run': {
    input: z.object({ connectionId, scope: BackupKind, tenant: z.string().max(63).optional() }).strict(),
    output: TaskRef,
  },
  'backups.restore': {
    input: z
      .object({
        connectionId,
        manifest: z.string().min(1).max(1000),
        tenant: z.string().max(63).optional(),
        mode: z.enum(['side-schema', 'replace', 'new-database', 'existing-database']),
        target: z.string().max(63).optional(),
        confirm: z.string().max(200).optional(),
      })
      .strict(),
    output: TaskRef,
  },
  'backups.verify': { input: z.object({ connectionId, manifest: z.string().min(1).max(1000) }).strict(), output: TaskRef },
  'backups.retention': { input: z.object({ dryRun: z.boolean() }).strict(), output: RetentionPlan },
  /** The names a restore made now would give by default (the core decides them: 63-byte rule, stamp). */
  'backups.restoreNames': {
    input: z.object({ tenant: z.string().min(1).max(63).optional(), database: z.string().min(1).max(63).optional() }).strict(),
    output: z.object({ sideSchema: z.string().optional(), database: z.string().optional() }),
  },
  'backups.restoredCopies': { input: z.object({ connectionId }).strict(), output: z.object({ copies: z.array(RestoredCopy) }) },
  /** Drops one restored copy; refuses anything else. On production, confirm is the database name. */
  'backups.dropRestoredCopy': {
    input: z.object({ connectionId, schema: z.string().min(1).max(63), confirm: z.string().max(200).optional() }).strict(),
    output: z.object({ dropped: z.string(), bytes: z.number(), tables: z.number().int() }),
  },
} as const;
