import type { Command } from 'commander';
import { EXIT } from './exit';
import { printJson, printText } from './output';

type Run = (fn: () => Promise<number>) => Promise<void>;

function duration(sec: number): string {
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  return `${Math.round((sec / 3600) * 10) / 10} h`;
}

/** `dr …`: disaster recovery (issue 11). So far the runbooks; runs, drills and readiness come next. */
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
              .map((s) => `${s.scenario.padEnd(15)} v${s.version}  RTO ${duration(s.rtoTargetSec)}${s.rpoTargetSec !== undefined ? `, RPO ${duration(s.rpoTargetSec)}` : ', no RPO'}  ${s.steps} steps (about ${duration(s.expectedDurationSec)})  ${s.title}`)
              .join('\n'),
          );
        }
        return EXIT.ok;
      }),
    );
}
