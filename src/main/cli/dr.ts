import type { Command } from 'commander';
import { s3Options, withS3 } from './backup';
import { EXIT } from './exit';
import { printJson, printText } from './output';

type Run = (fn: () => Promise<number>) => Promise<void>;

function duration(sec: number): string {
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  return `${Math.round((sec / 3600) * 10) / 10} h`;
}

/** `dr …`: disaster recovery (issue 11). So far the runbooks and readiness; runs and drills come next. */
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
}
