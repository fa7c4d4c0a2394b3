import type { Command } from 'commander';
import { s3Options, withS3 } from './backup';
import { EXIT } from './exit';
import { printJson, printText } from './output';

type Run = (fn: () => Promise<number>) => Promise<void>;

function duration(sec: number): string {
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  return `${Math.round((sec / 3600) * 10) / 10} h`;
}

/** `dr …`: disaster recovery (issues 11 and 12). So far the runbooks, readiness and the security baseline; runs and drills come next. */
export function registerDr(program: Command, run: Run): void {
  const dr = program.command('dr').description('disaster recovery: the scenario runbooks');
  dr.command('scenarios')
    .description('the DR scenarios: each runbook\'s version, RTO and RPO targets and steps')
    .option('--json', 'print one JSON document: { scenarios: [...] }')
    .action((o: { json?: boolean }) =>
      run(async () => {
        // Loaded here, so that the CLI starts without zod (see cli.ts).
        const { listRunbooks, summarise } = await import('../core/dr/runbooks');
        const scenarios = (await listRunbooks()).map(summarise);
        if (o.json) printJson({ scenarios });
        else {
          printText(
            scenarios
              .map((s) => `${s.scenario.padEnd(15)} v${s.version}  RTO ${duration(s.rtoTargetSec)}${s.rpoTargetSec !== undefined ? `, RPO ${duration(s.rpoTargetSec)}` : ', no RPO'}  ${s.steps} steps (${duration(s.expectedDurationSec)} if every step runs)  ${s.title}`)
              .join('\n'),
          );
        }
        return EXIT.ok;
      }),
    );
  withS3(
    dr
      .command('readiness')
      .description('per scenario: whether every tenant\'s RPO now (age of its newest verified backup) meets the runbook\'s RPO target; exit 0 all meet, 1 some miss, 3 error')
      .requiredOption('--dest <dest>', 'the backup destination: folder, file:///path or s3://bucket/prefix')
      .option('--json', 'print one JSON document: { generatedAt, scenarios, tenants, databases }'),
  ).action((o: Parameters<typeof s3Options>[0] & { dest: string; json?: boolean }) =>
      run(async () => {
        const [{ listRunbooks }, { readiness }, { readCatalog }, { openDestination }] = await Promise.all([
          import('../core/dr/runbooks'),
          import('../core/dr/readiness'),
          import('../core/backup/catalog'),
          import('../core/backup/destination'),
        ]);
        const dest = openDestination(o.dest, s3Options(o));
        const r = readiness(await readCatalog(dest), (await listRunbooks()).map((l) => l.runbook));
        if (o.json) printJson(r);
        else {
          const verifiedAge = (sec: number | undefined) => (sec === undefined ? 'no verified backup' : `newest verified ${duration(sec)} ago`);
          printText(
            r.scenarios
              .map((s) => {
                if (s.meets === null) return `${s.scenario.padEnd(15)} no RPO target`;
                if (!s.judged) return `${s.scenario.padEnd(15)} RPO target ${duration(s.rpoTargetSec ?? 0)}: MISSED (nothing backed up at this destination)`;
                const head = `${s.scenario.padEnd(15)} RPO target ${duration(s.rpoTargetSec ?? 0)}: ${s.meets ? 'met' : 'MISSED'} (${s.judged - s.missing.length} of ${s.judged} ${s.basis === 'database' ? 'databases' : 'tenants'})`;
                const miss = s.missing.slice(0, 10).map((m) => `  ${JSON.stringify(m.tenant ?? m.database)}: ${verifiedAge(m.verifiedAgeSec)}${m.newestAgeSec === undefined ? ', no full backup' : `, newest ${duration(m.newestAgeSec)} ago`}`);
                return [head, ...miss, ...(s.missing.length > 10 ? [`  … and ${s.missing.length - 10} more`] : [])].join('\n');
              })
              .join('\n'),
          );
        }
        return r.scenarios.every((s) => s.meets !== false) ? EXIT.ok : EXIT.warning;
      }),
    );
  dr.command('baseline')
    .description('record the known-good security baseline of a database (roles, superusers, SECURITY DEFINER functions, event triggers, extensions, untrusted languages, hba rules), against which a persistence hunt names what is new; exit 0 recorded, 3 error')
    .requiredOption('--db <url>', 'the database, as a libpq URL')
    .option('--data <dir>', 'app data directory (default $PODCASTFLOW_OPS_HOME); the baseline goes to <dir>/dr/baselines/')
    .option('--json', 'print one JSON document: the baseline as recorded')
    .action((o: { db: string; data?: string; json?: boolean }) =>
      run(async () => {
        const [{ databaseFromUrl }, { recordBaseline, urlConnectionId, baselinePath }, { appHome }] = await Promise.all([
          import('../core/db/database'),
          import('../core/dr/security/baseline'),
          import('../core/util/paths'),
        ]);
        const db = await databaseFromUrl(o.db);
        try {
          const home = appHome(o.data);
          const connectionId = urlConnectionId(db.target);
          const b = await recordBaseline(await db.pool('admin'), { home, connectionId });
          if (o.json) printJson(b);
          else {
            const s = b.state;
            printText(
              [
                `Baseline of ${b.database} recorded at ${b.recordedAt} in ${baselinePath(home, connectionId)}:`,
                `  ${s.roles.length} roles (${s.roles.filter((r) => r.superuser).length} superusers: ${s.roles.filter((r) => r.superuser).map((r) => r.role).join(', ') || 'none'})`,
                `  ${s.securityDefinerFunctions.length} SECURITY DEFINER functions, ${s.eventTriggers.length} event triggers, ${s.extensions.length} extensions (${s.extensions.map((x) => x.name).join(', ')})`,
                `  ${s.untrustedLanguages.length} untrusted languages${s.untrustedLanguages.length ? ` (${s.untrustedLanguages.join(', ')})` : ''}, ${s.hbaRules ? `${s.hbaRules.length} pg_hba rules` : 'pg_hba rules not readable with this role'}`,
                `  ${s.tenantFunctions.length} functions in tenant schemas outside the reference shape`,
              ].join('\n'),
            );
          }
          return EXIT.ok;
        } finally {
          await db.close();
        }
      }),
    );
}
