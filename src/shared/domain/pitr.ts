import { z } from 'zod';
import { WireError } from '../errors';

/**
 * Point-in-time recovery of one tenant through pgBackRest (issue 13): a connection's physical backup
 * engine (stanza, config file or repo options), its state, and the restore of one tenant to a time, an
 * LSN or a named restore point, beside the live tenant.
 */

/** A pgBackRest stanza name: what pgbackrest itself accepts, and nothing a shell could read as syntax. */
export const StanzaName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a stanza name is letters, digits, ".", "_" or "-" (at most 64)');

const path = z.string().min(1).max(1000).refine((p) => p.startsWith('/') && !p.includes('\0'), 'an absolute path');

/** Where the backups and archived WAL are, when not (only) in the config file. */
export const PitrRepo = z.discriminatedUnion('type', [
  z.object({ type: z.literal('posix'), path }).strict(),
  z
    .object({
      type: z.literal('s3'),
      bucket: z.string().min(3).max(63),
      endpoint: z.string().min(1).max(255),
      region: z.string().min(1).max(64),
      /** The repo's path inside the bucket (pgBackRest's repo1-path), default /. */
      path: path.optional(),
      uriStyle: z.enum(['host', 'path']).optional(),
      verifyTls: z.boolean().optional(),
    })
    .strict(),
]);
export type PitrRepo = z.infer<typeof PitrRepo>;

/**
 * A connection's pgBackRest settings. No secret lives here: S3 keys come from the environment
 * (PGBACKREST_REPO1_S3_KEY…, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) or the config file.
 */
export const PitrConfig = z
  .object({
    stanza: StanzaName,
    /** pgbackrest.conf to read (--config); options given here override it. */
    configFile: path.optional(),
    repo: PitrRepo.optional(),
  })
  .strict();
export type PitrConfig = z.infer<typeof PitrConfig>;

export const PitrBackup = z.object({
  label: z.string(),
  type: z.enum(['full', 'diff', 'incr']),
  startedAt: z.string(),
  finishedAt: z.string(),
  lsnStart: z.string().optional(),
  lsnStop: z.string().optional(),
  bytes: z.number(),
  repoBytes: z.number(),
});
export type PitrBackup = z.infer<typeof PitrBackup>;

/** pg_stat_archiver and the archive settings, read on the live server. */
export const ArchiverState = z.object({
  archiveMode: z.string(),
  archiveTimeoutSec: z.number(),
  /** archive_command runs pgbackrest archive-push (its text is never sent: it may hold options). */
  pushesToPgbackrest: z.boolean(),
  archivedCount: z.number(),
  lastArchivedWal: z.string().optional(),
  lastArchivedAt: z.string().optional(),
  lastArchivedAgeSec: z.number().optional(),
  failedCount: z.number(),
  lastFailedWal: z.string().optional(),
  lastFailedAt: z.string().optional(),
  /** The WAL segment being written now (what an archive is behind by). */
  currentWal: z.string().optional(),
  /** Segments waiting for archive_command (needs pg_monitor to be known). */
  readyCount: z.number().int().optional(),
});
export type ArchiverState = z.infer<typeof ArchiverState>;

export const PitrStatus = z.object({
  configured: z.boolean(),
  /** Where the settings come from: saved for this connection, or the demo's own repo. */
  source: z.enum(['connection', 'demo']).optional(),
  config: PitrConfig.optional(),
  /** pgbackrest on this machine: its version, or why it cannot be used (what to install). */
  engine: z.object({ ok: z.boolean(), version: z.string().optional(), error: WireError.optional() }),
  backups: z.array(PitrBackup),
  archive: z.object({ min: z.string().optional(), max: z.string().optional() }),
  archiver: ArchiverState.optional(),
  /** What can be recovered: from the end of the oldest backup to the last archived WAL. */
  window: z.object({ from: z.string(), to: z.string() }).optional(),
  /** The repo or the server could not be read (the rest of the status is what could). */
  error: WireError.optional(),
  checkedAt: z.string(),
});
export type PitrStatus = z.infer<typeof PitrStatus>;

/** ISO 8601 with a zone: a recovery target must never depend on the server's or this machine's time zone. */
const IsoTime = z.string().max(64).refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'an ISO 8601 time with a zone, e.g. 2026-12-01T14:02:17Z');
const Lsn = z.string().regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/, 'an LSN such as 0/3000060');

export const PitrTarget = z.discriminatedUnion('type', [
  z.object({ type: z.literal('time'), value: IsoTime }).strict(),
  z.object({ type: z.literal('lsn'), value: Lsn }).strict(),
  z.object({ type: z.literal('name'), value: z.string().min(1).max(63).refine((s) => !/[\0\r\n']/.test(s), 'no quotes or line breaks') }).strict(),
]);
export type PitrTarget = z.infer<typeof PitrTarget>;

/** restore: pgbackrest restore into the scratch folder; start: the scratch server replays WAL to the target; check: it stopped at the target and holds the tenant; copy: pg_dump -n there into pg_restore beside the live tenant; cleanup: the scratch server stopped and its folder removed. */
export const PitrPhase = z.enum(['restore', 'start', 'check', 'copy', 'cleanup']);
export type PitrPhase = z.infer<typeof PitrPhase>;

/** What a tenant's point-in-time restore did (the task's result, and `pitr restore --json`). */
export const PitrRestoreResult = z.object({
  tenant: z.string(),
  database: z.string(),
  /** The side schema beside the live tenant. */
  schema: z.string(),
  target: PitrTarget,
  backupLabel: z.string().optional(),
  /** The server's own words for where recovery stopped (e.g. "before commit of transaction 726, time …"). */
  stoppedAt: z.string(),
  /** The last transaction replayed: the data is as of this moment. */
  lastTransactionAt: z.string().optional(),
  tables: z.number().int(),
  rows: z.number(),
  phases: z.array(z.object({ phase: PitrPhase, ms: z.number() })),
  durationMs: z.number(),
});
export type PitrRestoreResult = z.infer<typeof PitrRestoreResult>;

const connectionId = z.string().max(200).optional();

export const PitrRestoreInput = z
  .object({
    connectionId,
    tenant: z.string().min(1).max(63),
    target: PitrTarget,
    intoSchema: z.string().min(1).max(63).optional(),
  })
  .strict();

export const pitrContract = {
  'pitr.status': { input: z.object({ connectionId }).strict(), output: PitrStatus },
  /** Save (or with null, remove) a connection's pgBackRest settings; answers with the status they give. */
  'pitr.configure': { input: z.object({ connectionId, config: PitrConfig.nullable() }).strict(), output: PitrStatus },
  'pitr.restore': { input: PitrRestoreInput, output: z.object({ taskId: z.string() }) },
  /** Tenants whose name contains `search` (the restore dialog's picker), at most `limit`. */
  'pitr.tenants': {
    input: z.object({ connectionId, search: z.string().max(63).default(''), limit: z.number().int().min(1).max(100).default(50) }).strict(),
    output: z.object({ tenants: z.array(z.string()), more: z.boolean() }),
  },
  /** The demo database with WAL archiving to a pgBackRest repo (restarts the demo). */
  'pitr.demo': { input: z.object({ enabled: z.boolean() }).strict(), output: z.object({ enabled: z.boolean(), message: z.string() }) },
} as const;
