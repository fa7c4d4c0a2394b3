/**
 * The Prometheus exposition (`/metrics`): one prom-client Registry per App, filled from a FleetSnapshot of
 * the latest results (health reports, tenant verifications, the backup catalog read on a timer, DR
 * readiness and drills) — never from a fresh run per scrape.
 *
 * Cardinality is bounded: series carry `connection`, `check`, `kind`, `severity`, `scenario`, `database`
 * labels, whose values come from closed lists (or the few configured connections); a `tenant` label
 * appears only on the top-N offenders (PODCASTFLOW_OPS_METRICS_TOP_N), everything else is aggregated.
 * docs/metrics.md lists every series and the count at 10,000 tenants.
 */
import { Gauge, Registry } from 'prom-client';
import type { CatalogEntry } from '../../../shared/domain/backups';
import type { DrillRecord, Runbook, Scenario } from '../../../shared/domain/dr';
import { CHECK_IDS, type CheckId, type CheckStatus, type HealthReport, type OverallStatus } from '../../../shared/domain/health';
import { VIOLATION_KINDS } from '../../../shared/domain/tenants';
import type { BackupKind, Severity } from '../../../shared/vocabulary';
import type { Readiness } from '../dr/readiness';

export interface IsolationSnapshot {
  tenants: number;
  violations: { tenant: string | null; kind: string; severity: Severity }[];
  /** `verify`: the last tenant verification; `health`: the health check's findings (capped at 200). */
  source: 'verify' | 'health';
}

export interface ConnectionSnapshot {
  id: string;
  name: string;
  database: string;
  environment: string;
  health: HealthReport | null;
  isolation: IsolationSnapshot | null;
}

/** The backup destination's catalog, as read at `readAt` (ms), and the DR readiness computed from it then. */
export interface CatalogSnapshot {
  entries: CatalogEntry[];
  readiness: Readiness;
  readAt: number;
}

/** The last backup this app ran, per kind: failures leave no manifest, so only the app knows of them. */
export interface BackupOutcome {
  kind: BackupKind;
  ok: boolean;
  at: string;
  /** Why it failed, redacted (never a secret, never a location). */
  error?: string;
}

export interface FleetSnapshot {
  connections: ConnectionSnapshot[];
  catalog: CatalogSnapshot | null;
  outcomes: BackupOutcome[];
  runbooks: Runbook[];
  drills: DrillRecord[];
}

const CHECK_CODE: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2, error: 3, skipped: 4 };
const OVERALL_CODE: Record<OverallStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
const SEVERITIES: readonly Severity[] = ['info', 'warn', 'critical'];

/**
 * Each check's headline value as a gauge in base units (the check's `value`, scaled). Typed over every
 * check id, so a new check is a compile error here until it says what its value is.
 */
export const CHECK_VALUE_METRICS: Record<CheckId, { name: string; help: string; scale?: number }> = {
  connectivity: { name: 'pfops_db_latency_seconds', help: 'Round trip of the connectivity probe.', scale: 1e-3 },
  cache_hit_ratio: { name: 'pfops_cache_hit_ratio', help: 'Share of table block reads served from shared buffers.' },
  table_bloat: { name: 'pfops_table_bloat_bytes', help: 'Estimated reclaimable bytes in the most bloated tables.' },
  index_bloat: { name: 'pfops_index_bloat_bytes', help: 'Estimated reclaimable bytes in the most bloated indexes.' },
  unused_indexes: { name: 'pfops_unused_indexes', help: 'Indexes never scanned since the statistics reset.' },
  duplicate_indexes: { name: 'pfops_duplicate_indexes', help: 'Indexes that duplicate another one.' },
  invalid_indexes: { name: 'pfops_invalid_indexes', help: 'Indexes left invalid (a failed CREATE INDEX CONCURRENTLY).' },
  seq_scan_heavy: { name: 'pfops_seq_scan_heavy_tables', help: 'Large tables read mostly by sequential scans.' },
  slow_queries: { name: 'pfops_slow_query_mean_seconds', help: 'Highest mean execution time among the ranked statements.', scale: 1e-3 },
  connections: { name: 'pfops_connections_used_ratio', help: 'Share of usable connections (max_connections less reserved) in use.' },
  long_running: { name: 'pfops_long_running_queries', help: 'Statements or transactions running longer than the threshold.' },
  blocked_queries: { name: 'pfops_blocked_queries', help: 'Sessions waiting on a lock held by another.' },
  sequence_overflow: { name: 'pfops_sequence_used_ratio', help: 'Highest used share of a sequence\'s usable range (its own or its column\'s maximum).' },
  xid_wraparound: { name: 'pfops_xid_wraparound_ratio', help: 'Oldest database transaction ID age as a share of the 2^31 wraparound limit.' },
  autovacuum: { name: 'pfops_dead_tuples', help: 'Dead tuples in the tables autovacuum lags on.' },
  replication_lag: { name: 'pfops_replication_lag_bytes', help: 'Largest replay lag of a standby or replication slot.' },
  sizes: { name: 'pfops_database_size_bytes', help: 'Size of the database.' },
  tenant_isolation: { name: 'pfops_tenant_isolation_check_violations', help: 'Tenant isolation violations found by the last verification.' },
  wal_archiving: { name: 'pfops_wal_last_archived_age_seconds', help: 'Age of the last archived WAL segment while others wait: the real RPO of point-in-time recovery.' },
};

const secondsSince = (iso: string, now: number) => Math.max(0, (now - Date.parse(iso)) / 1000);
const epochSeconds = (iso: string) => Date.parse(iso) / 1000;

/** The strictest RPO target a backup kind answers to: full backups for system failure, tenant dumps for the tenant scenarios. */
export function rpoTargetFor(kind: BackupKind, runbooks: Runbook[]): number | undefined {
  const targets = runbooks.filter((r) => r.rpo && (kind === 'full' ? r.scenario === 'system-failure' : r.scenario !== 'system-failure')).map((r) => r.rpo!.targetSec);
  return targets.length ? Math.min(...targets) : undefined;
}

/** The newest drill per scenario. */
function latestDrills(drills: DrillRecord[]): Map<Scenario, DrillRecord> {
  const out = new Map<Scenario, DrillRecord>();
  for (const d of drills) {
    const seen = out.get(d.scenario);
    if (!seen || d.finishedAt > seen.finishedAt) out.set(d.scenario, d);
  }
  return out;
}

export class FleetMetrics {
  readonly registry = new Registry();
  private readonly gauges: Gauge[] = [];
  private readonly checkValues = new Map<CheckId, Gauge>();

  private gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    const g = new Gauge({ name, help, labelNames, registers: [this.registry] });
    this.gauges.push(g);
    return g;
  }

  private readonly info = this.gauge('pfops_build_info', 'PodcastFlow Ops itself: always 1, its version as a label.', ['version']);
  private readonly connectionInfo = this.gauge('pfops_connection_info', 'A watched connection: always 1, its name, database and environment as labels.', ['connection', 'name', 'database', 'environment']);
  private readonly up = this.gauge('pfops_up', 'Whether the last connectivity check reached the database (1) or not (0).', ['connection']);
  private readonly status = this.gauge('pfops_health_status', 'Overall health of the last run: 0 healthy, 1 degraded, 2 unhealthy.', ['connection']);
  private readonly checkedAt = this.gauge('pfops_health_last_run_timestamp_seconds', 'When the latest health result was taken (Unix time).', ['connection']);
  private readonly checkStatus = this.gauge('pfops_health_check_status', 'Status of each check: 0 pass, 1 warn, 2 fail, 3 error, 4 skipped.', ['connection', 'check']);
  private readonly checkDuration = this.gauge('pfops_health_check_duration_seconds', 'How long each check took in its last run.', ['connection', 'check']);
  private readonly checkFindings = this.gauge('pfops_health_check_findings', 'Findings of each check by severity (the report\'s, capped per check).', ['connection', 'check', 'severity']);
  private readonly tenants = this.gauge('pfops_tenants', 'Tenant schemas the last tenant verification covered.', ['connection']);
  private readonly violations = this.gauge('pfops_tenant_isolation_violations', 'Tenant isolation violations by kind and severity.', ['connection', 'kind', 'severity']);
  private readonly tenantsAffected = this.gauge('pfops_tenant_isolation_affected_tenants', 'Tenants with at least one isolation violation.', ['connection']);
  private readonly tenantViolations = this.gauge('pfops_tenant_isolation_tenant_violations', 'Violations of the top-N offending tenants only (PODCASTFLOW_OPS_METRICS_TOP_N).', ['connection', 'tenant']);
  private readonly backupCount = this.gauge('pfops_backups', 'Backups at the destination.', ['database', 'kind']);
  private readonly backupAge = this.gauge('pfops_backup_age_seconds', 'Age of the newest backup of each kind.', ['database', 'kind']);
  private readonly verifiedAge = this.gauge('pfops_backup_verified_age_seconds', 'Age of the newest backup of each kind proven restorable (RPO now).', ['database', 'kind']);
  private readonly rpoTarget = this.gauge('pfops_backup_rpo_target_seconds', 'The strictest runbook RPO target a backup kind answers to.', ['database', 'kind']);
  private readonly verifyOk = this.gauge('pfops_backup_verify_last_success', 'Outcome of the newest verification of each kind: 1 restorable, 0 not restorable.', ['database', 'kind']);
  private readonly verifyAt = this.gauge('pfops_backup_verify_last_timestamp_seconds', 'When the newest verification of each kind ran (Unix time).', ['database', 'kind']);
  private readonly unverifiedTenants = this.gauge('pfops_backup_tenants_unverified', 'Tenants without any backup proven restorable.', ['database']);
  private readonly tenantRpo = this.gauge('pfops_backup_tenant_verified_age_seconds', 'RPO now of the top-N stalest tenants only (age of their newest verified backup).', ['database', 'tenant']);
  private readonly catalogAge = this.gauge('pfops_backup_catalog_age_seconds', 'How old the cached read of the backup catalog is.');
  private readonly lastOk = this.gauge('pfops_backup_last_success', 'Outcome of the last backup this service ran, per kind: 1 succeeded, 0 failed.', ['kind']);
  private readonly lastAt = this.gauge('pfops_backup_last_attempt_timestamp_seconds', 'When the last backup this service ran finished (Unix time).', ['kind']);
  private readonly drReady = this.gauge('pfops_dr_readiness', 'Whether every tenant (or database) meets the scenario\'s RPO target now: 1 yes, 0 no.', ['scenario']);
  private readonly drMissing = this.gauge('pfops_dr_rpo_missed', 'Tenants (or databases) missing the scenario\'s RPO target now.', ['scenario']);
  private readonly drRpoTarget = this.gauge('pfops_dr_rpo_target_seconds', 'The scenario runbook\'s RPO target.', ['scenario']);
  private readonly drRtoTarget = this.gauge('pfops_dr_rto_target_seconds', 'The scenario runbook\'s RTO target.', ['scenario']);
  private readonly drillRto = this.gauge('pfops_dr_drill_rto_seconds', 'Measured RTO of the newest drill of each scenario.', ['scenario']);
  private readonly drillOk = this.gauge('pfops_dr_drill_success', 'Outcome of the newest drill of each scenario: 1 succeeded, 0 not.', ['scenario']);
  private readonly drillAt = this.gauge('pfops_dr_drill_last_timestamp_seconds', 'When the newest drill of each scenario finished (Unix time).', ['scenario']);

  constructor(
    private readonly version: string,
    /** Per-tenant series for this many offenders at most. */
    private readonly topN: number,
  ) {
    for (const id of CHECK_IDS) {
      const m = CHECK_VALUE_METRICS[id];
      this.checkValues.set(id, this.gauge(m.name, m.help, ['connection']));
    }
  }

  /** The exposition text for a snapshot, ages taken at `now` (ms). */
  async render(s: FleetSnapshot, now = Date.now()): Promise<string> {
    for (const g of this.gauges) g.reset();
    this.info.set({ version: this.version }, 1);
    for (const c of s.connections) this.connection(c);
    if (s.catalog) this.backups(s.catalog, s.runbooks, now);
    for (const o of s.outcomes) {
      this.lastOk.set({ kind: o.kind }, o.ok ? 1 : 0);
      this.lastAt.set({ kind: o.kind }, epochSeconds(o.at));
    }
    this.dr(s);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private connection(c: ConnectionSnapshot): void {
    const connection = c.id;
    this.connectionInfo.set({ connection, name: c.name, database: c.database, environment: c.environment }, 1);
    const r = c.health;
    if (r) {
      const conn = r.checks.find((x) => x.id === 'connectivity');
      if (conn && conn.status !== 'skipped') this.up.set({ connection }, conn.status === 'fail' ? 0 : 1);
      this.status.set({ connection }, OVERALL_CODE[r.status]);
      if (r.checkedAt) this.checkedAt.set({ connection }, epochSeconds(r.checkedAt));
      for (const check of r.checks) {
        this.checkStatus.set({ connection, check: check.id }, CHECK_CODE[check.status]);
        if (check.status === 'skipped') continue;
        this.checkDuration.set({ connection, check: check.id }, check.durationMs / 1000);
        for (const severity of SEVERITIES) this.checkFindings.set({ connection, check: check.id, severity }, check.findings.filter((f) => f.severity === severity).length);
        if (check.value !== undefined && Number.isFinite(check.value)) this.checkValues.get(check.id)!.set({ connection }, check.value * (CHECK_VALUE_METRICS[check.id].scale ?? 1));
      }
    }
    const iso = c.isolation;
    if (iso) {
      this.tenants.set({ connection }, iso.tenants);
      // Every kind and severity, zeros included: an alert on `> 0` needs the series to exist when all is well.
      const counts = new Map<string, number>();
      const perTenant = new Map<string, number>();
      for (const v of iso.violations) {
        counts.set(`${v.kind}\0${v.severity}`, (counts.get(`${v.kind}\0${v.severity}`) ?? 0) + 1);
        if (v.tenant) perTenant.set(v.tenant, (perTenant.get(v.tenant) ?? 0) + 1);
      }
      for (const kind of VIOLATION_KINDS) for (const severity of SEVERITIES) this.violations.set({ connection, kind, severity }, counts.get(`${kind}\0${severity}`) ?? 0);
      this.tenantsAffected.set({ connection }, perTenant.size);
      const top = [...perTenant].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, this.topN);
      for (const [tenant, n] of top) this.tenantViolations.set({ connection, tenant }, n);
    }
  }

  private backups(cat: CatalogSnapshot, runbooks: Runbook[], now: number): void {
    this.catalogAge.set(Math.max(0, (now - cat.readAt) / 1000));
    // Entries are newest first: the first of a (database, kind) is its newest.
    const seen = new Set<string>();
    const verified = new Set<string>();
    const lastVerify = new Map<string, { at: string; ok: boolean }>();
    const count = new Map<string, number>();
    for (const e of cat.entries) {
      const labels = { database: e.database, kind: e.kind };
      const key = `${e.database}\0${e.kind}`;
      count.set(key, (count.get(key) ?? 0) + 1);
      if (!seen.has(key)) {
        seen.add(key);
        this.backupAge.set(labels, secondsSince(e.finishedAt, now));
        const target = rpoTargetFor(e.kind, runbooks);
        if (target !== undefined) this.rpoTarget.set(labels, target);
      }
      if (e.verified?.ok && !verified.has(key)) {
        verified.add(key);
        this.verifiedAge.set(labels, secondsSince(e.finishedAt, now));
      }
      const last = lastVerify.get(key);
      if (e.verified && (!last || e.verified.at > last.at)) lastVerify.set(key, { at: e.verified.at, ok: e.verified.ok });
    }
    for (const [key, n] of count) {
      const [database, kind] = key.split('\0') as [string, BackupKind];
      this.backupCount.set({ database, kind }, n);
      const v = lastVerify.get(key);
      if (v) {
        this.verifyOk.set({ database, kind }, v.ok ? 1 : 0);
        this.verifyAt.set({ database, kind }, epochSeconds(v.at));
      }
    }
    // Per tenant: the stalest N only (ages moved on from when readiness was computed), and a count of the unverified.
    const shift = (now - Date.parse(cat.readiness.generatedAt)) / 1000;
    const unverified = new Map<string, number>();
    for (const p of cat.readiness.tenants) if (p.verifiedAgeSec === undefined) unverified.set(p.database, (unverified.get(p.database) ?? 0) + 1);
    for (const database of new Set(cat.entries.map((e) => e.database))) this.unverifiedTenants.set({ database }, unverified.get(database) ?? 0);
    const stalest = cat.readiness.tenants
      .filter((p) => p.verifiedAgeSec !== undefined)
      .sort((a, b) => b.verifiedAgeSec! - a.verifiedAgeSec!)
      .slice(0, this.topN);
    for (const p of stalest) this.tenantRpo.set({ database: p.database, tenant: p.tenant! }, p.verifiedAgeSec! + shift);
    for (const sc of cat.readiness.scenarios) {
      if (sc.meets === null) continue;
      this.drReady.set({ scenario: sc.scenario }, sc.meets ? 1 : 0);
      this.drMissing.set({ scenario: sc.scenario }, sc.missing.length);
    }
  }

  private dr(s: FleetSnapshot): void {
    for (const r of s.runbooks) {
      this.drRtoTarget.set({ scenario: r.scenario }, r.rto.targetSec);
      if (r.rpo) this.drRpoTarget.set({ scenario: r.scenario }, r.rpo.targetSec);
    }
    for (const [scenario, d] of latestDrills(s.drills)) {
      this.drillRto.set({ scenario }, d.rtoMeasuredSec);
      this.drillOk.set({ scenario }, d.outcome === 'succeeded' ? 1 : 0);
      this.drillAt.set({ scenario }, epochSeconds(d.finishedAt));
    }
  }
}
