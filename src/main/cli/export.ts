import type { Command } from 'commander';
import { EXIT } from './exit';

/** `export …`: our definitions in other tools' formats. So far pgwatch. */
export function registerExport(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const exp = program.command('export').description("the console's checks in other tools' formats");
  exp
    .command('pgwatch')
    .description('the health checks as pgwatch (v3) metric definitions (YAML: SQL per PostgreSQL major version, gauges, tag_ columns) and a "podcastflow" preset')
    .option('--out <file>', 'write to this file (default: stdout)')
    .action((o: { out?: string }) =>
      run(async () => {
        // Loaded here, so that the CLI starts without zod (see cli.ts).
        const [{ pgwatchYaml }, { writeTextAtomic }] = await Promise.all([import('../core/fleet/pgwatch'), import('../core/store/files')]);
        const yaml = pgwatchYaml();
        if (o.out) {
          await writeTextAtomic(o.out, yaml, 0o644);
          process.stderr.write(`Wrote ${o.out}: load it with pgwatch --metrics=${o.out} (or copy its metrics into your metrics.yaml).\n`);
        } else process.stdout.write(yaml);
        return EXIT.ok;
      }),
    );
}
