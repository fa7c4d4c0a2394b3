import { InvalidArgumentError, type Command } from 'commander';
import { EXIT } from './exit';

/** --param name=value, repeatable. */
function paramOption(value: string, all: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`expected name=value, got "${value}".`);
  return { ...all, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function registerSql(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const sql = program.command('sql').description('the SQL the console runs (resources/sql)');
  sql
    .command('print')
    .description('print a query from resources/sql with its parameters inlined, runnable as is: podcastflow-ops sql print health_table_bloat | psql "$URL"')
    .argument('<file>', 'the file under resources/sql, without .sql (e.g. health_table_bloat, backup/scope)')
    .option('--param <name=value>', "a parameter named in the file's `-- @param` header (repeatable; text[] values comma-separated); others take their defaults", paramOption)
    .action((file: string, opts: { param?: Record<string, string> }) =>
      run(async () => {
        const { printableSql } = await import('../core/db/sql');
        let text: string;
        try {
          text = printableSql(file.replace(/\.sql$/, ''), opts.param ?? {});
        } catch (err) {
          // An unknown file or a bad parameter is a usage error.
          process.stderr.write(`error: ${(err as Error).message}\n(run with --help for usage)\n`);
          return EXIT.usage;
        }
        process.stdout.write(text);
        return EXIT.ok;
      }),
    );
}
