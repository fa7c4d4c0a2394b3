import { z } from 'zod';
import { Severity } from '../vocabulary';

export { Severity };

/** Violation kinds of DESIGN §3, in the order the heatmap shows them (drift first, then leaks). */
export const VIOLATION_KINDS = [
  'missing_table',
  'extra_table',
  'missing_column',
  'type_mismatch',
  'missing_index',
  'invalid_index',
  'missing_platform_grant',
  'cross_tenant_grant',
  'public_privilege',
  'cross_tenant_reference',
  'shared_table_without_rls',
  'security_definer_search_path',
  'unexpected_owner',
] as const;
export const ViolationKind = z.enum(VIOLATION_KINDS);
export type ViolationKind = z.infer<typeof ViolationKind>;

export const Violation = z.object({
  /** The tenant schema, exactly as named; null for an object in a shared schema. */
  tenant: z.string().nullable(),
  kind: ViolationKind,
  object: z.string().optional(),
  detail: z.string(),
  severity: Severity,
  /** Mechanical fix, identifiers quoted; shown for copying, run only after confirmation. */
  fixSql: z.string().optional(),
  /** The locks the fix takes (e.g. "SHARE UPDATE EXCLUSIVE on the table; reads and writes continue …"). */
  fixLock: z.string().optional(),
});
export type Violation = z.infer<typeof Violation>;

export const TenantStats = z.object({
  name: z.string(),
  owner: z.string(),
  /** Estimated from pg_class.relpages (tables, indexes, TOAST). */
  sizeBytes: z.number(),
  estimatedRows: z.number(),
  tables: z.number().int(),
});
export type TenantStats = z.infer<typeof TenantStats>;

/** One check of a verification; `timedOut`: it hit its statement_timeout, so its violations are missing (a partial result). */
export const CheckRun = z.object({ id: z.string(), durationMs: z.number(), violations: z.number().int(), timedOut: z.boolean().optional() });

export const VerifyResult = z.object({
  tenants: z.number().int(),
  reference: z.object({ mode: z.enum(['template', 'majority']), template: z.string().optional() }),
  durationMs: z.number(),
  violations: z.array(Violation),
  checks: z.array(CheckRun),
  notes: z.array(z.string()),
  isolationFunction: z
    .object({ name: z.string(), ok: z.boolean().nullable(), rows: z.array(z.record(z.string(), z.unknown())), error: z.string().optional() })
    .nullable(),
  tenantStats: z.array(TenantStats),
  pattern: z.string(),
  verifiedAt: z.string(),
});
export type VerifyResult = z.infer<typeof VerifyResult>;

export const VerifyOptions = z
  .object({
    connectionId: z.string().optional(),
    /** LIKE pattern; default: the connection's tenant pattern. */
    pattern: z.string().min(1).max(200).optional(),
    tenants: z.array(z.string().min(1).max(63)).max(100_000).optional(),
    template: z.string().min(1).max(63).optional(),
    platformRoles: z.array(z.string().min(1).max(63)).max(100).optional(),
  })
  .strict();

/** Per-connection verification settings, kept in the app data directory (tenants.json). */
export const TenantSettings = z
  .object({
    /** Reference schema; empty means the majority shape of the tenants. */
    template: z.string().max(63).default(''),
    /** Roles allowed to hold privileges across tenants. */
    platformRoles: z.array(z.string().min(1).max(63)).max(100).default([]),
  })
  .strict();
export type TenantSettings = z.infer<typeof TenantSettings>;

export const tenantsContract = {
  'tenants.settings': {
    input: z.object({ connectionId: z.string().optional() }).strict(),
    output: TenantSettings,
  },
  'tenants.saveSettings': {
    input: z.object({ connectionId: z.string().optional(), settings: TenantSettings }).strict(),
    output: TenantSettings,
  },
  /** Starts verification as a task; the result is read with tenants.result once the task succeeds. */
  'tenants.verify': { input: VerifyOptions, output: z.object({ taskId: z.string() }) },
  /** The last verification of this connection in this session, or null. */
  'tenants.result': {
    input: z.object({ connectionId: z.string().optional() }).strict(),
    output: z.object({ result: VerifyResult.nullable(), taskId: z.string().nullable() }),
  },
  /**
   * Runs the fixSql of one violation of the last verification (looked up in main: the client never sends
   * SQL), on the admin pool in one transaction (a fix with CONCURRENTLY statements: one by one, outside
   * any transaction). `confirm` is the database name, required on production.
   */
  'tenants.fix': {
    input: z
      .object({
        connectionId: z.string().optional(),
        tenant: z.string().nullable(),
        kind: ViolationKind,
        object: z.string().optional(),
        confirmed: z.literal(true),
        confirm: z.string().max(200).optional(),
      })
      .strict(),
    output: z.object({ applied: z.boolean(), sql: z.string(), lock: z.string(), durationMs: z.number() }),
  },
} as const;
