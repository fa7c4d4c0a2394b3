import type { Finding } from '../../../../shared/domain/health';
import { archiverOf, type ArchiverRow } from '../../pitr/status';
import type { CheckDef, SqlSpec } from '../types';
import { count, seconds, statusOf, worst } from '../types';

const SQL: SqlSpec = { file: 'health_wal_archiving' };

/**
 * WAL archiving, the real RPO of point-in-time recovery: archive_command failing now fails; WAL waiting to
 * be archived for longer than archive_timeout (plus a grace) warns, or fails past walArchiveFailSec.
 * An idle server archives nothing and is fine: age only counts while segments wait.
 */
export const walArchiving: CheckDef = {
  id: 'wal_archiving', title: 'WAL archiving', heavy: false, sql: [SQL],
  docs: 'pg_stat_archiver: archive_command failing, segments waiting, age of the last archived WAL against `archive_timeout` (the RPO of point-in-time recovery); `skipped` when archive_mode is off',
  thresholds: {
    walArchiveGraceSec: seconds(60, 'WAL waiting longer than archive_timeout plus this warns (the PITR RPO is slipping).'),
    walArchiveFailSec: seconds(3_600, 'WAL waiting longer than this fails.'),
    walArchiveReadyWarn: count(16, 'More WAL segments than this waiting for archive_command warns.'),
  },
  history: { 'wal.archiveAgeSec': 'lastArchivedAgeSec' },
  async run(ctx) {
    const [row] = await ctx.rows<ArchiverRow>(SQL);
    const a = archiverOf(row!);
    if (a.archiveMode === 'off') return { status: 'skipped', summary: 'archive_mode is off: no WAL is archived, so there is no point-in-time recovery.', findings: [] };
    const findings: Finding[] = [];
    const failingNow = a.lastFailedAt !== undefined && (!a.lastArchivedAt || a.lastFailedAt > a.lastArchivedAt);
    if (failingNow) findings.push({ severity: 'critical', object: 'archive_command', message: `Archiving is failing: ${a.lastFailedWal ?? 'a segment'} failed at ${a.lastFailedAt} and nothing was archived since (${a.failedCount} failures in all). WAL piles up in pg_wal until it works again.`, data: { failedCount: a.failedCount, lastFailedWal: a.lastFailedWal ?? null } });
    const waiting = a.readyCount ?? (a.currentWal && a.lastArchivedWal && a.currentWal.slice(8) > a.lastArchivedWal.slice(8) ? 1 : 0);
    const age = a.lastArchivedAgeSec;
    if (waiting > 0 && age !== undefined) {
      const limit = (a.archiveTimeoutSec || 0) + ctx.t.walArchiveGraceSec;
      if (age >= ctx.t.walArchiveFailSec) findings.push({ severity: 'critical', object: 'archiver', message: `The last WAL segment was archived ${Math.round(age)} s ago while ${waiting} wait: point-in-time recovery would lose that much.`, data: { ageSec: age, waiting } });
      else if (a.archiveTimeoutSec > 0 && age > limit) findings.push({ severity: 'warn', object: 'archiver', message: `The last WAL segment was archived ${Math.round(age)} s ago, more than archive_timeout (${a.archiveTimeoutSec} s) + ${ctx.t.walArchiveGraceSec} s, while ${waiting} wait.`, data: { ageSec: age, waiting } });
    }
    if (a.readyCount !== undefined && a.readyCount > ctx.t.walArchiveReadyWarn) findings.push({ severity: 'warn', object: 'pg_wal', message: `${a.readyCount} WAL segments wait for archive_command.`, data: { ready: a.readyCount } });
    if (a.archiveTimeoutSec === 0) findings.push({ severity: 'info', object: 'archive_timeout', message: 'archive_timeout is 0: a quiet server may keep its last writes out of the archive until a segment fills.' });
    return {
      status: worst(statusOf(findings)),
      summary: `${a.archivedCount} segments archived, last ${a.lastArchivedWal ?? 'none'}${age !== undefined ? ` ${Math.round(age)} s ago` : ''}; ${a.failedCount} failures${a.pushesToPgbackrest ? '; archive_command pushes to pgBackRest' : ''}.`,
      ...(age !== undefined ? { value: age } : {}),
      findings,
      metrics: { ...(age !== undefined ? { lastArchivedAgeSec: age } : {}), failedCount: a.failedCount },
    };
  },
};
