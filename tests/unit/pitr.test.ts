import { describe, expect, it } from 'vitest';
import { engineError, optionArgs } from '../../src/main/core/pitr/pgbackrest';
import { bestRestorePoint, pitrRestorePoint } from '../../src/main/core/pitr/restore-points';
import { recoveryStop, targetArgs } from '../../src/main/core/pitr/restore';
import { recoverableWindow } from '../../src/main/core/pitr/status';
import type { CatalogEntry } from '../../src/shared/domain/backups';
import { PitrConfig, PitrTarget, type PitrStatus } from '../../src/shared/domain/pitr';

const status = (over: Partial<PitrStatus> = {}): PitrStatus => ({
  configured: true,
  config: { stanza: 'main' },
  engine: { ok: true, version: '2.45' },
  backups: [],
  archive: {},
  window: { from: '2026-12-01T10:00:00.000Z', to: '2026-12-01T14:00:00.000Z' },
  checkedAt: '2026-12-01T14:00:05.000Z',
  ...over,
});

describe('pgBackRest options and errors', () => {
  it('passes the connection settings as options, the S3 repo without any key', () => {
    expect(optionArgs({ stanza: 'main', configFile: '/etc/pgbackrest/pgbackrest.conf', repo: { type: 's3', bucket: 'bkp', endpoint: 's3.example', region: 'eu-west-1' } })).toEqual([
      '--stanza=main',
      '--config=/etc/pgbackrest/pgbackrest.conf',
      '--repo1-type=s3',
      '--repo1-s3-bucket=bkp',
      '--repo1-s3-endpoint=s3.example',
      '--repo1-s3-region=eu-west-1',
      '--repo1-path=/',
      '--log-level-console=off',
      '--log-level-stderr=error',
      '--log-level-file=off',
    ]);
  });

  it('refuses stanza names and paths a shell or pgbackrest could misread', () => {
    expect(PitrConfig.safeParse({ stanza: 'main; rm -rf /' }).success).toBe(false);
    expect(PitrConfig.safeParse({ stanza: 'main', configFile: 'relative.conf' }).success).toBe(false);
    expect(PitrTarget.safeParse({ type: 'time', value: '2026-12-01 14:02:17' }).success).toBe(false);
    expect(PitrTarget.safeParse({ type: 'time', value: '2026-12-01T14:02:17+01:00' }).success).toBe(true);
    expect(PitrTarget.safeParse({ type: 'lsn', value: '0/3000060' }).success).toBe(true);
  });

  it('names what to fix for an unreadable repo', () => {
    const e = engineError('info', "ERROR: [055]: unable to load info file '/repo/archive/main/archive.info' or '/repo/archive/main/archive.info.copy':\n       FileMissingError: unable to open missing file", 82);
    expect(e.code).toBe('pitr_repo_unreadable');
    expect(e.message).toContain('[055]');
    expect(e.hint).toContain('repo path');
  });
});

describe('recovery targets', () => {
  it('hands pgbackrest a UTC time, an LSN or a restore point', () => {
    expect(targetArgs({ type: 'time', value: '2026-12-01T15:02:17.5+01:00' })).toEqual(['--type=time', '--target=2026-12-01 14:02:17.500+00']);
    expect(targetArgs({ type: 'lsn', value: '0/3000060' })).toEqual(['--type=lsn', '--target=0/3000060']);
    expect(targetArgs({ type: 'name', value: 'before-migration' })).toEqual(['--type=name', '--target=before-migration']);
  });

  it('reads where recovery stopped from the server log, and nothing when it never met the target', () => {
    const log = '2026-12-01 16:49:09.527 UTC [1] LOG:  recovery stopping before commit of transaction 726, time 2026-12-01 16:48:56.86379+00\n2026-12-01 16:49:09.527 UTC [1] LOG:  last completed transaction was at log time 2026-12-01 16:48:54.836847+00\n';
    expect(recoveryStop(log)).toEqual({ stoppedAt: 'before commit of transaction 726, time 2026-12-01 16:48:56.86379+00', lastTransactionAt: '2026-12-01T16:48:54.836Z' });
    expect(recoveryStop('LOG:  redo done at 0/5000388').stoppedAt).toBeUndefined();
  });

  it('the window runs from the oldest backup to the last archived WAL', () => {
    const b = (finishedAt: string) => ({ label: finishedAt, type: 'full' as const, startedAt: finishedAt, finishedAt, bytes: 1, repoBytes: 1 });
    expect(recoverableWindow([b('2026-12-01T12:00:00.000Z'), b('2026-12-01T10:00:00.000Z')], { archiveMode: 'on', archiveTimeoutSec: 60, pushesToPgbackrest: true, archivedCount: 3, failedCount: 0, lastArchivedAt: '2026-12-01T13:00:00.000Z' })).toEqual({ from: '2026-12-01T10:00:00.000Z', to: '2026-12-01T13:00:00.000Z' });
    expect(recoverableWindow([], undefined)).toBeUndefined();
  });
});

describe('PITR restore points for DR', () => {
  it('offers a second before the incident inside the window', () => {
    const p = pitrRestorePoint(status(), { tenant: 'org_a', incidentAt: '2026-12-01T13:30:00Z' });
    expect(p).toMatchObject({ source: 'pitr', target: { type: 'time', value: '2026-12-01T13:29:59.000Z' }, rpoGapSec: 1, stanza: 'main' });
    expect(p.warning).toBeUndefined();
  });

  it('warns when the WAL up to the target was not archived yet, refuses before the window', () => {
    expect(pitrRestorePoint(status(), { incidentAt: '2026-12-01T15:00:00Z' }).warning).toContain('not archived yet');
    expect(() => pitrRestorePoint(status(), { incidentAt: '2026-12-01T09:00:00Z' })).toThrow(/before the recoverable window/);
    expect(() => pitrRestorePoint(status({ engine: { ok: false, error: { code: 'pgbackrest_missing', message: 'pgbackrest was not found on PATH' } } }), { incidentAt: '2026-12-01T13:00:00Z' })).toThrow(/pgbackrest was not found/);
  });

  it('the best of several providers is the one that loses least; one failing does not hide the other', async () => {
    const pitr = { source: 'pitr' as const, choose: () => Promise.resolve(pitrRestorePoint(status(), { incidentAt: '2026-12-01T13:30:00Z' })) };
    const failing = { source: 'backup' as const, choose: () => Promise.reject(new Error('no backup')) };
    expect((await bestRestorePoint([failing, pitr], { incidentAt: '2026-12-01T13:30:00Z' })).source).toBe('pitr');
    await expect(bestRestorePoint([failing], { incidentAt: '2026-12-01T13:30:00Z' })).rejects.toThrow('no backup');
  });

  it('a point-in-time winner keeps the logical backup as its alternative', async () => {
    const q = { incidentAt: '2026-12-01T13:30:00Z' };
    const pitr = { source: 'pitr' as const, choose: () => Promise.resolve(pitrRestorePoint(status(), q)) };
    const entry = { id: 'b1', finishedAt: '2026-12-01T12:30:00.000Z' } as CatalogEntry;
    const logical = { source: 'backup' as const, choose: () => Promise.resolve({ source: 'backup' as const, backup: entry, rpoGapSec: 3600, verified: true, alternatives: [] }) };
    const best = await bestRestorePoint([logical, pitr], q);
    expect(best).toMatchObject({ source: 'pitr', rpoGapSec: 1, alternatives: [{ backup: { id: 'b1' }, rpoGapSec: 3600, verified: true }] });
  });
});
