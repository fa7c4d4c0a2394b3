import type { Command } from 'commander';
import { formatBytes } from '../../shared/format';
import { EXIT } from './exit';
import { printJson, printText } from './output';

type Run = (fn: () => Promise<number>) => Promise<void>;

// Loaded inside the actions, so that the CLI starts without the database driver (see cli.ts).
const core = async () => {
  const [{ databaseFromUrl }, copies] = await Promise.all([import('../core/db/database'), import('../core/backup/restored-copies')]);
  return { databaseFromUrl, ...copies };
};
interface Flags {
  db: string;
  schema?: string;
  json?: boolean;
}

function age(sec: number | undefined): string {
  if (sec === undefined) return 'age unknown';
  if (sec < 3600) return `${Math.round(sec / 60)} min old`;
  if (sec < 172_800) return `${Math.round(sec / 3600)} h old`;
  return `${Math.round(sec / 86_400)} days old`;
}

/** `restores list|drop`: the side schemas restores left behind (never tenants), and dropping one of them. */
export function registerRestores(program: Command, run: Run): void {
  const restores = program.command('restores').description('restored copies: the side schemas restores left beside the live tenants (never counted as tenants)');
  restores
    .command('list')
    .description('list the restored copies (<tenant>__restored_… / __replaced_…) with size, age and the backup they came from')
    .requiredOption('--db <url>', 'database URL (password from the URL, PGPASSWORD or ~/.pgpass)')
    .option('--schema <name>', 'only this copy')
    .option('--json', 'print one JSON document: { copies: [...] }')
    .action((o: Flags) =>
      run(async () => {
        const { databaseFromUrl, listRestoredCopies } = await core();
        const db = await databaseFromUrl(o.db);
        try {
          const copies = await listRestoredCopies(db, o.schema ? { schema: o.schema } : {});
          if (o.json) printJson({ copies });
          else if (!copies.length) printText('No restored copies.');
          else {
            printText(
              copies
                .map((c) => `${JSON.stringify(c.schema)}  ${c.kind} copy of ${JSON.stringify(c.tenant)}${c.tenantExists ? '' : ' (no such tenant now)'}  ${formatBytes(c.bytes)}, ${c.tables} tables, ${age(c.ageSec)}${c.origin?.backup ? `  from ${c.origin.backup}` : ''}${c.origin?.safetyBackup ? `  safety backup ${c.origin.safetyBackup}` : ''}`)
                .join('\n'),
            );
          }
          return EXIT.ok;
        } finally {
          await db.close();
        }
      }),
    );
  restores
    .command('drop')
    .description('drop one restored copy (DROP SCHEMA … CASCADE); refuses any schema that is not one')
    .requiredOption('--db <url>', 'database URL')
    .requiredOption('--schema <name>', 'the restored copy to drop')
    .option('--json', 'print one JSON document: { dropped, bytes, tables }')
    .action((o: Flags & { schema: string }) =>
      run(async () => {
        const { databaseFromUrl, dropRestoredCopy } = await core();
        const db = await databaseFromUrl(o.db);
        try {
          const out = await dropRestoredCopy(db, o.schema);
          if (o.json) printJson(out);
          else printText(`Dropped ${JSON.stringify(out.dropped)} (${out.tables} tables, ${formatBytes(out.bytes)}).`);
          return EXIT.ok;
        } finally {
          await db.close();
        }
      }),
    );
}
