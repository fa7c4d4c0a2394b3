/**
 * Point-in-time restore points for the DR engine: where the recoverable window reaches the incident time
 * T0, the target is a second before it (the incident's own commit is not replayed), so the deletion
 * scenario loses seconds, not a dump interval. `bestRestorePoint` asks several providers (the backup
 * catalog, PITR) and keeps the one that loses least.
 */
import type { PitrConfig, PitrStatus } from '../../../shared/domain/pitr';
import type { Database } from '../db/database';
import { incidentTime, type PitrHook, type RestorePoint, type RestorePointProvider, type RestorePointQuery } from '../dr/restore-point';
import { OpsError } from '../util/errors';
import { PHASES, restoreTenantToPoint } from './restore';
import { pitrStatus } from './status';

/** How far before T0 the target is: the incident's own transaction must not be replayed. */
export const BEFORE_INCIDENT_MS = 1000;

export function pitrRestorePoint(status: PitrStatus, q: RestorePointQuery): RestorePoint {
  const t0 = incidentTime(q.incidentAt);
  const why = !status.configured
    ? 'point-in-time recovery is not set up for this connection'
    : !status.engine.ok
      ? (status.engine.error?.message ?? 'pgbackrest cannot be used')
      : status.error
        ? status.error.message
        : !status.window
          ? 'the pgBackRest repo holds no backup yet'
          : undefined;
  if (why || !status.window || !status.config) throw new OpsError('no_restore_point', `No point-in-time restore point before ${q.incidentAt}: ${why ?? 'no recoverable window'}.`, 'Set up pgBackRest for the connection (Backups → Point in time), or use a logical backup.');
  const target = t0 - BEFORE_INCIDENT_MS;
  const from = Date.parse(status.window.from);
  if (target < from) throw new OpsError('no_restore_point', `The incident time ${q.incidentAt} is before the recoverable window (it starts at ${status.window.from}, the end of the oldest pgBackRest backup).`, 'Use a logical backup from before it, or check the incident time.');
  const to = Date.parse(status.window.to);
  return {
    source: 'pitr',
    target: { type: 'time', value: new Date(target).toISOString() },
    stanza: status.config.stanza,
    window: status.window,
    rpoGapSec: Math.round((t0 - target) / 1000),
    verified: false,
    ...(target > to ? { warning: `The WAL up to ${new Date(target).toISOString()} was not archived yet when last checked (up to ${status.window.to}); the restore switches WAL and waits for the archiver first.` } : {}),
    alternatives: [],
  };
}

export function pitrRestorePoints(status: () => Promise<PitrStatus>): RestorePointProvider {
  return { source: 'pitr', choose: async (q) => pitrRestorePoint(await status(), q) };
}

/**
 * The restore point that loses least of the providers that have one; the error of the first when none has.
 * A point-in-time winner keeps the logical backups as its alternatives (the operator may prefer a proven dump).
 */
export async function bestRestorePoint(providers: RestorePointProvider[], q: RestorePointQuery): Promise<RestorePoint> {
  const settled = await Promise.allSettled(providers.map((p) => p.choose(q)));
  const points = settled.filter((s): s is PromiseFulfilledResult<RestorePoint> => s.status === 'fulfilled').map((s) => s.value);
  if (!points.length) throw (settled[0] as PromiseRejectedResult | undefined)?.reason ?? new OpsError('no_restore_point', `No restore point before ${q.incidentAt}.`);
  const best = points.sort((a, b) => a.rpoGapSec - b.rpoGapSec)[0]!;
  const logical = points.find((p) => p.source === 'backup');
  if (best.source !== 'pitr' || !logical) return best;
  return { ...best, alternatives: [{ backup: logical.backup, rpoGapSec: logical.rpoGapSec, verified: logical.verified }, ...logical.alternatives].slice(0, 5) };
}

/** The DR engine's view of a connection's pgBackRest: its restore points, status and tenant restore. */
export function pitrHook(cfg: PitrConfig, db: Database, opts: { scratchBase?: string } = {}): PitrHook {
  const status = () => pitrStatus(cfg, db);
  return {
    provider: pitrRestorePoints(status),
    status,
    restoreBeside: (a) =>
      restoreTenantToPoint({
        db,
        cfg,
        tenant: a.tenant,
        target: a.target,
        ...(a.into ? { intoSchema: a.into } : {}),
        ...(opts.scratchBase ? { scratchBase: opts.scratchBase } : {}),
        signal: a.signal,
        log: a.log,
        phase: (p, i) => {
          a.progress(i, PHASES.length, 'phases');
          a.log(`Phase ${i + 1}/${PHASES.length}: ${p}.`);
        },
      }),
  };
}
