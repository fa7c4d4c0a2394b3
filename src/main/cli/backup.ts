import { Option, type Command } from 'commander';
import { formatBytes } from '../../shared/format';
import type { S3Options } from '../core/backup/destination';
import type { BackupKey } from '../core/backup/keys';
import type { RestoreMode } from '../core/backup/restore';
import type { Database } from '../core/db/database';
import { stderrLogger } from '../core/util/log';
import { EXIT } from './exit';
import { printJson, printText } from './output';
import { intOption } from './parse';
import { BACKUP_KINDS, DEFAULT_TENANT_PATTERN } from '../../shared/words';

type Run = (fn: () => Promise<number>) => Promise<void>;
interface Common {
  json?: boolean;
  endpoint?: string;
  region?: string;
  profile?: string;
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  keyFile?: string[];
  keySecret?: string;
}

/** The backup core, loaded when a backup command runs rather than at every CLI start. */
async function core() {
  const [backup, catalog, destination, keys, restore, database, errors] = await Promise.all([
    import('../core/backup/backup'),
    import('../core/backup/catalog'),
    import('../core/backup/destination'),
    import('../core/backup/keys'),
    import('../core/backup/restore'),
    import('../core/db/database'),
    import('../core/util/errors'),
  ]);
  return { ...backup, ...catalog, ...destination, ...keys, ...restore, ...database, ...errors };
}
type Core = Awaited<ReturnType<typeof core>>;

/** Runs fn with the database of a URL, closed however fn ends. */
async function withDatabase<T>(url: string, { databaseFromUrl }: Core, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await databaseFromUrl(url);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** The S3 options of a command built with withS3 (also `dr readiness`). */
export function s3Options(o: Pick<Common, 'endpoint' | 'region' | 'profile' | 'sse' | 'kmsKeyId'>): S3Options {
  return { ...(o.endpoint ? { endpoint: o.endpoint } : {}), ...(o.region ? { region: o.region } : {}), ...(o.profile ? { profile: o.profile } : {}), ...(o.sse ? { sse: o.sse } : {}), ...(o.kmsKeyId ? { kmsKeyId: o.kmsKeyId } : {}) };
}

export function withS3(cmd: Command): Command {
  return cmd
    .option('--endpoint <url>', 'S3-compatible endpoint (path-style); also AWS_ENDPOINT_URL_S3')
    .option('--region <r>', 'AWS region')
    .option('--profile <p>', 'AWS profile')
    .addOption(new Option('--sse <mode>', 'server-side encryption').choices(['AES256', 'aws:kms']))
    .option('--kms-key-id <id>', 'KMS key for --sse aws:kms');
}

function withKeys(cmd: Command): Command {
  return cmd
    .option('--key-file <file>', 'key file (first line = passphrase, mode 600); repeat for older keys', (v: string, prev: string[] = []) => [...prev, v])
    .option('--key-secret <id>', 'AWS Secrets Manager secret holding the passphrase');
}

async function keys(o: Common, { loadKeyFile, loadAwsSecret, OpsError }: Core): Promise<BackupKey[]> {
  const out: BackupKey[] = [];
  for (const f of o.keyFile ?? []) out.push(await loadKeyFile(f));
  if (o.keySecret) out.push(await loadAwsSecret(o.keySecret, o.region ? { region: o.region } : {}));
  if (!out.length) throw new OpsError('key_required', 'No backup key given.', 'Pass --key-file FILE (mode 600) or --key-secret SECRET_ID.');
  return out;
}

/** Cancel on SIGINT/SIGTERM: kills pg_dump, aborts uploads, leaves nothing that looks like a success. */
function interruptSignal({ OpsError }: Core): AbortSignal {
  const c = new AbortController();
  const stop = () => c.abort(new OpsError('cancelled', 'Interrupted.'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return c.signal;
}


export function registerBackup(program: Command, run: Run): void {
  withKeys(
    withS3(
      program
        .command('backup')
        .description('back up one tenant, every tenant (one snapshot) or the whole database, encrypted, to a folder or S3')
        .requiredOption('--db <url>', 'database URL')
        .option('--tenant <schema>', 'one tenant schema')
        .option('--all-tenants', 'every tenant schema, from one consistent snapshot')
        .option('--full', 'the whole database (plus roles where permitted)')
        .option('--pattern <like>', 'tenant schema LIKE pattern for --all-tenants', DEFAULT_TENANT_PATTERN)
        .requiredOption('--dest <dest>', 'folder, file:///path or s3://bucket/prefix')
        .option('--json', 'one JSON document on stdout'),
    ),
  ).action((o: Common & { db: string; tenant?: string; allTenants?: boolean; full?: boolean; pattern: string; dest: string }) =>
    run(async () => {
      const n = [o.tenant, o.allTenants, o.full].filter(Boolean).length;
      if (n !== 1) {
        process.stderr.write('error: give exactly one of --tenant SCHEMA, --all-tenants or --full.\n(run with --help for usage)\n');
        return EXIT.usage;
      }
      const c = await core();
      const { runBackup, resultOf, openDestination } = c;
      const [key] = await keys(o, c);
      return withDatabase(o.db, c, async (db) => {
        const dest = openDestination(o.dest, s3Options(o));
        const scope = o.tenant ? ({ kind: 'tenant', tenant: o.tenant } as const) : o.full ? ({ kind: 'full' } as const) : ({ kind: 'all-tenants', pattern: o.pattern } as const);
        const outcome = await runBackup({ db, dest, key: key!, scope, signal: interruptSignal(c), log: stderrLogger });
        if (scope.kind === 'all-tenants') {
          const results = outcome.manifest.tenants!.map((t) => resultOf(outcome, t));
          if (o.json) printJson({ results, durationMs: outcome.manifest.durationMs, manifest: outcome.manifestLocation });
          else printText(`Backed up ${results.length} tenants from one snapshot: ${outcome.manifestLocation} (${formatBytes(outcome.manifest.ciphertext.bytes)}, ${outcome.manifest.durationMs} ms)`);
        } else {
          const r = resultOf(outcome);
          if (o.json) printJson(r);
          else printText(`Backup ${r.id} succeeded: ${formatBytes(r.bytes)} in ${r.durationMs} ms\n  manifest ${r.manifest}\n  sha256   ${r.sha256}`);
        }
        return EXIT.ok;
      });
    }),
  );

  const backups = program.command('backups').description('the backup catalog');
  withS3(
    backups
      .command('list')
      .description('list the backups at a destination (read from its manifests)')
      .requiredOption('--dest <dest>', 'folder, file:///path or s3://bucket/prefix')
      .option('--tenant <schema>', 'only backups holding this tenant')
      .addOption(new Option('--kind <kind>').choices(BACKUP_KINDS))
      .option('--since <iso>', 'finished at or after')
      .option('--json', 'one JSON document on stdout'),
  ).action((o: Common & { dest: string; tenant?: string; kind?: 'full' | 'tenant' | 'all-tenants'; since?: string }) =>
    run(async () => {
      // A folder that does not exist is an error (exit 3, destination_not_found), not an empty catalog.
      const { filterCatalog, readCatalog, openDestination } = await core();
      const dest = openDestination(o.dest, s3Options(o));
      const all = filterCatalog(await readCatalog(dest), { ...(o.tenant ? { tenant: o.tenant } : {}), ...(o.kind ? { kind: o.kind } : {}), ...(o.since ? { since: o.since } : {}) });
      const backupsOut = all.map(({ ...e }) => {
        delete (e as { _tenants?: unknown })._tenants;
        return e;
      });
      if (o.json) printJson({ backups: backupsOut, total: backupsOut.length });
      else if (!backupsOut.length) printText(`No backups yet at ${dest.location}.`);
      else
        for (const e of backupsOut)
          printText(`${e.finishedAt}  ${e.kind.padEnd(11)} ${(e.tenant ?? (e.tenantCount ? `${e.tenantCount} tenants` : e.database)).padEnd(28)} ${formatBytes(e.bytes).padStart(10)}  ${e.verified ? (e.verified.ok ? `verified ${e.verified.at.slice(0, 10)}` : 'VERIFY FAILED') : e.verifyAttempt ? 'unverified (could not verify)' : 'unverified'}  ${e.manifest}`);
      return EXIT.ok;
    }),
  );

  withKeys(
    withS3(
      program
        .command('restore')
        .description('restore a backup: a tenant beside the live one (default), or a full backup into a new database')
        .requiredOption('--backup <manifest>', 'the <name>.manifest.json (path or s3:// URL)')
        .requiredOption('--db <url>', 'database URL to restore into (its server for a new database)')
        .option('--tenant <schema>', 'the tenant to restore from an all-tenants backup')
        .option('--into-schema <name>', 'side schema name (default <tenant>__restored_<yyyymmdd_hhmm>)')
        .option('--new-database <name>', 'full backup: the new database (default <db>_restored_<stamp>)')
        .option('--into-database <name>', 'full backup: restore over this existing database (needs --confirm NAME)')
        .option('--replace', 'tenant: replace the live schema (safety backup first; needs --confirm TENANT)')
        .option('--confirm <name>', 'type the database or tenant name back for destructive modes')
        .option('--json', 'one JSON document on stdout'),
    ),
  ).action((o: Common & { backup: string; db: string; tenant?: string; intoSchema?: string; newDatabase?: string; intoDatabase?: string; replace?: boolean; confirm?: string }) =>
    run(async () => {
      const c = await core();
      const { openManifestRef, restoreBackup, runBackup } = c;
      const ks = await keys(o, c);
      const { dest, name } = openManifestRef(o.backup, s3Options(o));
      return withDatabase(o.db, c, async (db) => {
        const mode: RestoreMode = o.replace ? 'replace' : o.intoDatabase ? 'existing-database' : o.newDatabase ? 'new-database' : 'side-schema';
        const target = o.intoSchema ?? o.newDatabase ?? o.intoDatabase;
        const signal = interruptSignal(c);
        const out = await restoreBackup({
          db,
          dest,
          name,
          keys: ks,
          mode,
          signal,
          log: stderrLogger,
          ...(o.tenant ? { tenant: o.tenant } : {}),
          ...(target ? { target } : {}),
          ...(o.confirm ? { confirm: o.confirm } : {}),
          safetyBackup: async (tenant) => (await runBackup({ db, dest, key: ks[0]!, scope: { kind: 'tenant', tenant }, signal, log: stderrLogger })).manifestLocation,
        });
        if (o.json) printJson(out);
        else printText(`Restored ${out.backupId} into ${out.database}${out.schema ? `, schema ${out.schema}` : ''}: ${out.tables} tables, ${out.rows} rows${out.mismatches.length ? `; ${out.mismatches.length} row-count mismatches` : ', counts match the manifest'}.`);
        return out.mismatches.length ? EXIT.warning : EXIT.ok;
      });
    }),
  );

  withKeys(
    withS3(
      program
        .command('verify')
        .description('prove a backup: restore it into a scratch database, compare row counts, record the result beside the manifest')
        .requiredOption('--backup <manifest>', 'the <name>.manifest.json (path or s3:// URL)')
        .requiredOption('--db <url>', 'a server to restore the scratch database on')
        .option('--json', 'one JSON document on stdout'),
    ),
  ).action((o: Common & { backup: string; db: string }) =>
    run(async () => {
      const c = await core();
      const { openManifestRef, verifyBackup } = c;
      const ks = await keys(o, c);
      const { dest, name } = openManifestRef(o.backup, s3Options(o));
      return withDatabase(o.db, c, async (db) => {
        const rec = await verifyBackup({ db, dest, name, keys: ks, signal: interruptSignal(c), log: stderrLogger });
        if (o.json) printJson(rec);
        else if (rec.status === 'could-not-verify') printText(`Not judged, ${rec.error ?? 'could not verify'}`);
        else printText(rec.ok ? `Verified restorable: ${rec.tablesCompared} tables, ${rec.rowsCompared} rows match the manifest.` : `NOT restorable: ${rec.error ?? `${rec.mismatches.length} tables differ from the manifest`}`);
        // Exit 2 is a verdict about the backup; a verify that could not run is unknown (3).
        return rec.status === 'could-not-verify' ? EXIT.unknown : rec.ok ? EXIT.ok : EXIT.critical;
      });
    }),
  );

  const retention = program.command('retention').description('backup retention');
  withS3(
    retention
      .command('apply')
      .description('delete backups beyond the rule (per kind and tenant); never a tenant\'s newest verified backup')
      .requiredOption('--dest <dest>', 'folder, file:///path or s3://bucket/prefix')
      .option('--keep-last <n>', 'keep the last N per kind and tenant', intOption(1, 10_000))
      .option('--keep-days <d>', 'keep everything younger than D days', intOption(1, 36_500))
      .option('--dry-run', 'show what would be deleted; delete nothing')
      .option('--json', 'one JSON document on stdout'),
  ).action((o: Common & { dest: string; keepLast?: number; keepDays?: number; dryRun?: boolean }) =>
    run(async () => {
      const { applyRetention, openDestination } = await core();
      const plan = await applyRetention(openDestination(o.dest, s3Options(o)), { ...(o.keepLast ? { keepLast: o.keepLast } : {}), ...(o.keepDays ? { keepDays: o.keepDays } : {}) }, Boolean(o.dryRun));
      if (o.json) printJson(plan);
      else {
        for (const d of plan.delete) printText(`${plan.dryRun ? 'would delete' : 'deleted'}  ${d.id}  ${formatBytes(d.bytes)}`);
        printText(`${plan.dryRun ? 'Dry run: would delete' : 'Deleted'} ${plan.delete.length} backups (${formatBytes(plan.deletedBytes)}); kept ${plan.keep.length}.`);
      }
      return EXIT.ok;
    }),
  );
}
