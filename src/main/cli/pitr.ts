import type { Command } from 'commander';
import { join } from 'node:path';
import type { PitrConfig, PitrStatus, PitrTarget } from '../../shared/domain/pitr';
import { stderrLogger } from '../core/util/log';
import { appHome } from '../core/util/paths';
import { EXIT } from './exit';
import { printJson, printText } from './output';
import { untilSignal } from './signals';

type Run = (fn: () => Promise<number>) => Promise<void>;

interface EngineFlags {
  db: string;
  stanza?: string;
  pgbackrestConfig?: string;
  repoPath?: string;
  data?: string;
  json?: boolean;
}

/**
 * The connection's pgBackRest settings: the flags, else the demo of the app data directory when --db is
 * that demo (same port on loopback) and it archives WAL.
 */
async function engineConfig(o: EngineFlags): Promise<PitrConfig> {
  const [{ PitrConfig }, { OpsError }, { readDemoMetadata }, { demoPitrConfig }, { parseUrl }] = await Promise.all([
    import('../../shared/domain/pitr'),
    import('../core/util/errors'),
    import('../core/demo/cluster'),
    import('../core/demo/pitr'),
    import('../core/db/connection'),
  ]);
  if (o.stanza) {
    return PitrConfig.parse({ stanza: o.stanza, ...(o.pgbackrestConfig ? { configFile: o.pgbackrestConfig } : {}), ...(o.repoPath ? { repo: { type: 'posix', path: o.repoPath } } : {}) });
  }
  const meta = readDemoMetadata(join(appHome(o.data), 'demo'));
  const { target } = parseUrl(o.db);
  if (meta?.pitr && meta.port === target.port && ['127.0.0.1', 'localhost', '::1'].includes(target.host)) return demoPitrConfig(meta.clusterDir);
  throw new OpsError('pitr_not_configured', 'No pgBackRest stanza for this database.', 'Pass --stanza NAME (and --pgbackrest-config FILE or --repo-path DIR), or point --db at a demo started with `demo up --pitr`.');
}

const engineOptions = (c: Command) =>
  c
    .requiredOption('--db <url>', 'database URL (password from the URL, PGPASSWORD or ~/.pgpass)')
    .option('--stanza <name>', 'the pgBackRest stanza of this server (default: the demo\'s, when --db is the demo)')
    .option('--pgbackrest-config <file>', 'pgbackrest.conf to read (--config)')
    .option('--repo-path <dir>', 'a posix repo path (repo1-path), overriding the config file')
    .option('--data <dir>', 'app data directory of the demo (default $PODCASTFLOW_OPS_HOME)');

function age(sec: number | undefined): string {
  if (sec === undefined) return 'never';
  return sec < 120 ? `${Math.round(sec)} s ago` : sec < 7200 ? `${Math.round(sec / 60)} min ago` : `${Math.round(sec / 3600)} h ago`;
}

function statusText(s: PitrStatus): string {
  const lines = [`pgbackrest: ${s.engine.ok ? s.engine.version : `not usable: ${s.engine.error?.message ?? ''}${s.engine.error?.hint ? `\n  hint: ${s.engine.error.hint}` : ''}`}`];
  if (s.config) lines.push(`stanza: ${s.config.stanza}${s.source === 'demo' ? ' (the demo\'s repo)' : ''}`);
  for (const b of s.backups) lines.push(`backup ${b.label} (${b.type}) finished ${b.finishedAt}`);
  if (s.archive.min) lines.push(`WAL archive: ${s.archive.min} … ${s.archive.max ?? '?'}`);
  const a = s.archiver;
  if (a) lines.push(`archiver: archive_mode ${a.archiveMode}, archive_timeout ${a.archiveTimeoutSec} s, last archived ${a.lastArchivedWal ?? 'none'} ${age(a.lastArchivedAgeSec)}, ${a.failedCount} failed${a.lastFailedWal ? ` (last ${a.lastFailedWal} at ${a.lastFailedAt})` : ''}`);
  lines.push(s.window ? `recoverable: ${s.window.from} … ${s.window.to}` : 'recoverable: nothing yet (no backup)');
  if (s.error) lines.push(`error: ${s.error.message}${s.error.hint ? `\n  hint: ${s.error.hint}` : ''}`);
  return lines.join('\n');
}

export function registerPitr(program: Command, run: Run): void {
  const pitr = program.command('pitr').description('point-in-time recovery of one tenant through pgBackRest');
  engineOptions(pitr.command('status').description('pgBackRest backups, WAL archive and archiver state, and the recoverable window'))
    .option('--json', 'print the status as one JSON document')
    .action((o: EngineFlags) =>
      run(async () => {
        const [{ databaseFromUrl }, { pitrStatus }] = await Promise.all([import('../core/db/database'), import('../core/pitr/status')]);
        const cfg = await engineConfig(o);
        const db = await databaseFromUrl(o.db);
        try {
          const s = await pitrStatus(cfg, db);
          if (o.json) printJson(s);
          else printText(statusText(s));
          if (!s.engine.ok || s.error || !s.window) return EXIT.critical;
          const a = s.archiver;
          return a?.lastFailedAt && (!a.lastArchivedAt || a.lastFailedAt > a.lastArchivedAt) ? EXIT.warning : EXIT.ok;
        } finally {
          await db.close();
        }
      }),
    );
  engineOptions(pitr.command('restore').description('restore one tenant as it was at a time (or LSN, or restore point) beside the live tenant'))
    .requiredOption('--tenant <schema>', 'the tenant schema to recover')
    .option('--to <iso>', 'target time, ISO 8601 with a zone (e.g. 2026-12-01T14:02:17Z)')
    .option('--lsn <lsn>', 'target LSN (e.g. 0/3000060)')
    .option('--restore-point <name>', 'target restore point (pg_create_restore_point)')
    .option('--into-schema <name>', 'the side schema (default <tenant>__restored_<yyyymmdd_hhmm>)')
    .option('--json', 'print the result as one JSON document')
    .action((o: EngineFlags & { tenant: string; to?: string; lsn?: string; restorePoint?: string; intoSchema?: string }) =>
      run(async () => {
        const [{ databaseFromUrl }, { restoreTenantToPoint }, { PitrTarget }, { OpsError }] = await Promise.all([import('../core/db/database'), import('../core/pitr/restore'), import('../../shared/domain/pitr'), import('../core/util/errors')]);
        const given = [o.to && { type: 'time', value: o.to }, o.lsn && { type: 'lsn', value: o.lsn }, o.restorePoint && { type: 'name', value: o.restorePoint }].filter(Boolean);
        if (given.length !== 1) throw new OpsError('invalid_input', 'Give exactly one target: --to ISO, --lsn LSN or --restore-point NAME.');
        const target: PitrTarget = PitrTarget.parse(given[0]);
        const cfg = await engineConfig(o);
        const db = await databaseFromUrl(o.db);
        const ac = new AbortController();
        void untilSignal().then((sig) => {
          stderrLogger(`${sig}: cancelling; the scratch cluster is stopped and removed…`);
          ac.abort();
        });
        try {
          const r = await restoreTenantToPoint({ db, cfg, tenant: o.tenant, target, signal: ac.signal, log: stderrLogger, ...(o.intoSchema ? { intoSchema: o.intoSchema } : {}), phase: (p, i, n) => stderrLogger(`[${i + 1}/${n}] ${p}`) });
          if (o.json) printJson(r);
          else printText(`Restored ${r.tenant} as of ${r.lastTransactionAt ?? r.stoppedAt} into ${r.schema}: ${r.tables} tables, ${r.rows} rows (recovery stopped ${r.stoppedAt}).`);
          return EXIT.ok;
        } finally {
          await db.close();
        }
      }),
    );
}
