import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { DrillRecord, DrRun } from '../../shared/domain/dr';
import type { DrService } from '../core/dr/service';
import { s3Options, withS3 } from './backup';
import { EXIT } from './exit';
import { printJson, printText } from './output';

type Run = (fn: () => Promise<number>) => Promise<void>;

function duration(sec: number): string {
  if (sec < 3600) return `${Math.round(sec / 60)} min`;
  return `${Math.round((sec / 3600) * 10) / 10} h`;
}

/** `dr …`: disaster recovery (issues 11 and 12): the runbooks, readiness, the security baseline, runs (start, next, status) and drills. */
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
      .option('--data <dir>', 'app data directory holding the drill history (default $PODCASTFLOW_OPS_HOME)')
      .option('--json', 'print one JSON document: { generatedAt, scenarios, tenants, databases }'),
  ).action((o: Parameters<typeof s3Options>[0] & { dest: string; data?: string; json?: boolean }) =>
      run(async () => {
        const [{ listRunbooks }, { readiness }, { readCatalog }, { openDestination }] = await Promise.all([
          import('../core/dr/runbooks'),
          import('../core/dr/readiness'),
          import('../core/backup/catalog'),
          import('../core/backup/destination'),
        ]);
        const dest = openDestination(o.dest, s3Options(o));
        const { readDrills } = await import('../core/dr/service');
        const { appHome } = await import('../core/util/paths');
        const r = readiness(await readCatalog(dest), (await listRunbooks()).map((l) => l.runbook), Date.now(), { drills: await readDrills(appHome(o.data)) });
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
    .description('record the known-good security baseline of a database (roles, superusers, SECURITY DEFINER functions, event triggers, extensions, untrusted languages, hba rules), against which a persistence hunt names what is new; filed under the database (user@host:port/database), so the app\'s hunt on a saved connection to it finds it too; exit 0 recorded, 3 error')
    .requiredOption('--db <url>', 'the database, as a libpq URL')
    .option('--data <dir>', 'app data directory (default $PODCASTFLOW_OPS_HOME); the baseline goes to <dir>/dr/baselines/')
    .option('--json', 'print one JSON document: the baseline as recorded')
    .action((o: { db: string; data?: string; json?: boolean }) =>
      run(async () => {
        const [{ databaseFromUrl }, { recordBaseline, baselineId, baselinePath, summariseBaseline }, { appHome }] = await Promise.all([
          import('../core/db/database'),
          import('../core/dr/security/baseline'),
          import('../core/util/paths'),
        ]);
        const db = await databaseFromUrl(o.db);
        try {
          const home = appHome(o.data);
          const id = baselineId(db.target);
          const b = await recordBaseline(await db.pool('admin'), { home, connectionId: id });
          if (o.json) printJson(b);
          else {
            const s = summariseBaseline(b);
            printText(
              [
                `Baseline of ${s.database} recorded at ${s.recordedAt} in ${baselinePath(home, id)}:`,
                `  ${s.roles} roles (${s.superusers.length} superusers: ${s.superusers.join(', ') || 'none'})`,
                `  ${s.securityDefinerFunctions} SECURITY DEFINER functions, ${s.eventTriggers} event triggers, ${s.extensions.length} extensions (${s.extensions.join(', ')})`,
                `  ${s.untrustedLanguages.length} untrusted languages${s.untrustedLanguages.length ? ` (${s.untrustedLanguages.join(', ')})` : ''}, ${s.hbaRules !== null ? `${s.hbaRules} pg_hba rules` : 'pg_hba rules not readable with this role'}`,
                `  ${s.tenantFunctions} functions in tenant schemas outside the reference shape`,
              ].join('\n'),
            );
          }
          return EXIT.ok;
        } finally {
          await db.close();
        }
      }),
    );
  registerRuns(dr, run);
}

type Where = Parameters<typeof s3Options>[0] & {
  db?: string;
  dest?: string;
  keyFile?: string[];
  data?: string;
  json?: boolean;
};

/** A usage error: said on stderr (and as JSON with --json), exit 64. */
function usage(message: string, json?: boolean): number {
  if (json) printJson({ error: { code: 'invalid_input', message } });
  process.stderr.write(`error: ${message}\n(run with --help for usage)\n`);
  return EXIT.usage;
}

const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The engine for one CLI command: runs live in the app data directory (--data / PODCASTFLOW_OPS_HOME), so a
 * later `dr next` in another process continues them. The run records the database URL without its password
 * (given again by PGPASSWORD / ~/.pgpass, or --db) and where the backups and key files are.
 */
async function engine(o: Where, environment?: string) {
  const [{ DrService }, { TaskManager }, { databaseFromUrl }, { describeTarget }, { openDestination }, { loadKeyFile }, { OpsError }, { appHome }] = await Promise.all([
    import('../core/dr/service'),
    import('../core/tasks/tasks'),
    import('../core/db/database'),
    import('../core/db/connection'),
    import('../core/backup/destination'),
    import('../core/backup/keys'),
    import('../core/util/errors'),
    import('../core/util/paths'),
  ]);
  const opened: { close(): Promise<void> }[] = [];
  const service: DrService = new DrService({
    home: appHome(o.data),
    tasks: new TaskManager(),
    connection: async (id) => {
      const url = o.db ?? id;
      if (!url) throw new OpsError('invalid_input', 'No database given.', 'Pass --db URL.');
      const db = await databaseFromUrl(url);
      opened.push(db);
      const shown = describeTarget(db.target);
      if (o.db && id && id !== shown) throw new OpsError('invalid_input', `The run was started on ${id}, not on ${shown}.`, 'Pass the --db of the run (or none: its URL is in the run, the password comes from PGPASSWORD or ~/.pgpass).');
      return { id: shown, db, database: db.target.database, production: environment === undefined || environment === 'production' };
    },
    backups: async (where) => {
      const destination = where.destination ?? o.dest;
      if (!destination) throw new OpsError('invalid_input', 'This step needs the backup destination.', 'Start the run with --dest DEST --key-file FILE.');
      const files = where.keyFiles ?? o.keyFile ?? [];
      const keys = async () => {
        if (!files.length) throw new OpsError('key_required', 'No backup key given.', 'Start the run with --key-file FILE (mode 600).');
        return Promise.all(files.map((f) => loadKeyFile(f)));
      };
      return { dest: openDestination(destination, s3Options(o)), keys, key: async () => (await keys())[0]! };
    },
    onRun: () => {},
  });
  const where = { ...(o.dest ? { destination: o.dest } : {}), ...(o.keyFile?.length ? { keyFiles: o.keyFile.map((f) => resolve(f)) } : {}) };
  return { service, where, close: () => Promise.all(opened.map((d) => d.close().catch(() => {}))) };
}

function clock(sec: number | undefined): string {
  if (sec === undefined) return '–';
  if (sec < 120) return `${Math.round(sec)} s`;
  return duration(sec);
}

const MARK: Record<DrRun['steps'][number]['status'], string> = { notStarted: ' ', running: '>', succeeded: '✓', failed: '✗', skipped: '-', pendingApproval: '?', cancelled: '✗' };

function showRun(r: DrRun): string {
  const head = `Run ${r.id}: ${r.scenario}${r.drill ? ' (drill)' : ''} v${r.runbookVersion}, ${r.status}${r.currentStep ? `, at step ${r.currentStep}` : ''}`;
  const clocks = `  incident ${r.incidentAt}${r.detectedAt ? `, detected ${r.detectedAt}` : ''}; RTO ${clock(r.rto.elapsedSec)} of ${clock(r.rto.targetSec)}${r.rto.stoppedAt ? ` (stopped after ${r.rto.endsAfter ?? 'its step'})` : ''}${r.rto.projectedSec !== undefined && r.status === 'open' ? `, projected ${clock(r.rto.projectedSec)}` : ''}${r.rto.met === undefined ? '' : r.rto.met ? ' (met)' : ' (MISSED)'}; RPO ${r.rpo.achievedSec !== undefined ? `${clock(r.rpo.achievedSec)}${r.rpo.restorePoint ? ` (restore point ${r.rpo.restorePoint})` : ''}` : 'not known yet'}${r.rpo.met === undefined ? '' : r.rpo.met ? ' (met)' : ' (MISSED)'}`;
  const steps = r.steps.map((s) => {
    const extra = [s.interrupted ? 'interrupted: retry (dr next) or skip (--skip)' : '', s.chosen ? `chose ${s.chosen}` : '', s.skipReason ?? '', s.error && !s.interrupted ? `${s.error.code}: ${s.error.message}` : '', s.note ? `note: ${s.note}` : ''].filter(Boolean).join('; ');
    return `  [${MARK[s.status]}] ${s.id.padEnd(16)} ${s.kind.padEnd(9)} ${s.title}${extra ? `  (${extra})` : ''}`;
  });
  const cur = r.steps.find((s) => s.id === r.currentStep);
  // What the current step would run, shown before its confirmation (the merge's SQL).
  const preview = (cur?.preview as { statements?: { table: string; sql: string; expectedRows: number }[] } | undefined)?.statements;
  const shown = preview?.length ? [`${cur!.id} would run (${preview.reduce((n, st) => n + st.expectedRows, 0)} rows to bring back):`, ...preview.map((st) => `  ${st.sql}`)] : [];
  const hint = cur ? [`next: ${cur.kind === 'decision' ? `dr next ${r.id} --choose ${cur.options?.map((o) => o.id).join('|')}|recommended` : `dr next ${r.id}`}`] : [];
  const reg = r.regulatory ? [`  GDPR Art. 33 notification due ${r.regulatory.deadline} (72 h from awareness ${r.regulatory.awareAt}): ${r.regulatory.overdue ? `OVERDUE by ${clock(-r.regulatory.remainingSec)}` : `${clock(r.regulatory.remainingSec)} left`}`] : [];
  const evidence = r.steps.flatMap((s) => (s.evidence ?? []).map((e) => `  evidence ${e.sha256}  ${e.file}`));
  return [head, clocks, ...reg, ...steps, ...evidence, ...shown, ...hint].join('\n');
}

function showDrill(d: DrillRecord): string {
  return [
    `Drill ${d.scenario}: ${d.outcome}; measured RTO ${clock(d.rtoMeasuredSec)} (target ${clock(d.rtoTargetSec)}), RPO ${clock(d.rpoAchievedSec)}${d.rpoTargetSec !== undefined ? ` (target ${clock(d.rpoTargetSec)})` : ''}`,
    d.fingerprint ? `  live database fingerprint ${d.fingerprint.unchanged ? 'unchanged' : 'CHANGED'}` : '  live database fingerprint not taken',
    ...d.steps.map((s) => `  ${s.status.padEnd(10)} ${s.id.padEnd(16)} ${s.durationSec !== undefined ? `${s.durationSec.toFixed(1)} s` : ''}`),
    ...(d.corruption ? [`  damaged ${d.corruption.damaged}: ${d.corruption.detected ? 'detected' : 'NOT detected'} by ${d.corruption.tool}; salvage ${d.corruption.salvage.bytes} bytes; restored ${d.corruption.restored.rows} of ${d.corruption.restored.expectedRows} rows`] : []),
    ...(d.error ? [`  error: ${d.error}`] : []),
  ].join('\n');
}

function withKeys(cmd: Command): Command {
  return withS3(cmd)
    .option('--dest <dest>', 'the backup destination: folder, file:///path or s3://bucket/prefix')
    .option('--key-file <file>', 'key file (first line = passphrase, mode 600); repeat for older keys', (v: string, prev: string[] = []) => [...prev, v])
    .option('--data <dir>', 'app data directory holding the runs (default $PODCASTFLOW_OPS_HOME)')
    .option('--json', 'print one JSON document');
}

/** Exit code of a run after a command: a failed step or run is critical. */
function runExit(r: DrRun): number {
  if (r.status === 'failed' || r.status === 'cancelled') return EXIT.critical;
  const cur = r.steps.find((s) => s.id === r.currentStep);
  return cur && (cur.status === 'failed' || cur.status === 'cancelled') ? EXIT.critical : EXIT.ok;
}

/** Runs fn with the engine; an invalid input the engine finds (an option id, a missing input) is a usage error. */
async function withEngine(o: Where, fn: (e: Awaited<ReturnType<typeof engine>>) => Promise<number>, environment?: string): Promise<number> {
  const e = await engine(o, environment);
  try {
    return await fn(e);
  } catch (err) {
    if ((err as { code?: string }).code === 'invalid_input') return usage((err as Error).message + ((err as { hint?: string }).hint ? ` (${(err as { hint?: string }).hint})` : ''), o.json);
    throw err;
  } finally {
    await e.close();
  }
}

// The scenario names, repeated from the contract so that the CLI starts without loading zod (see cli.ts).
const SCENARIOS = ['corruption', 'deletion', 'system-failure', 'ransomware', 'breach'];

function registerRuns(dr: Command, run: Run): void {
  withKeys(
    dr
      .command('start <scenario>')
      .description(`open a DR run (prints it with its id); scenario: ${SCENARIOS.join(', ')}`)
      .requiredOption('--db <url>', 'the database URL (its password is not recorded)')
      .option('--tenant <schema>', 'an affected tenant; repeat for more', (v: string, prev: string[] = []) => [...prev, v])
      .option('--role <role>', 'the role involved (deletion: whose sessions to end)')
      .option('--incident-at <iso>', 'the incident time T0, ISO 8601 with a zone (default: now)')
      .option('--detected-at <iso>', 'when the incident was detected (the RTO clock starts there; default: now)')
      .option('--environment <env>', 'production (default: gated steps need the database name typed), staging or development'),
  ).action((scenario: string, o: Where & { tenant?: string[]; role?: string; incidentAt?: string; detectedAt?: string; environment?: string }) =>
    run(async () => {
      if (!SCENARIOS.includes(scenario)) return usage(`there is no DR scenario ${JSON.stringify(scenario)}; scenarios: ${SCENARIOS.join(', ')}.`, o.json);
      for (const [flag, v] of [['--incident-at', o.incidentAt], ['--detected-at', o.detectedAt]] as const) if (v !== undefined && (!ISO.test(v) || Number.isNaN(Date.parse(v)))) return usage(`${flag} ${JSON.stringify(v)} is not an ISO 8601 timestamp with a zone, e.g. 2026-11-25T09:41:00Z.`, o.json);
      if (o.environment !== undefined && !['production', 'staging', 'development'].includes(o.environment)) return usage(`--environment is production, staging or development, not ${JSON.stringify(o.environment)}.`, o.json);
      if (o.keyFile?.length && !o.dest) return usage('--key-file goes with --dest (the backups it opens).', o.json);
      return withEngine(
        o,
        async ({ service, where }) => {
          const r = await service.start({ scenario: scenario as DrRun['scenario'], ...(o.tenant ? { tenants: o.tenant } : {}), ...(o.role ? { role: o.role } : {}), ...(o.incidentAt ? { incidentAt: o.incidentAt } : {}), ...(o.detectedAt ? { detectedAt: o.detectedAt } : {}) }, where);
          if (o.json) printJson(r);
          else printText(showRun(r));
          return EXIT.ok;
        },
        o.environment ?? 'production',
      );
    }),
  );

  withKeys(
    dr
      .command('next <run>')
      .description('run the current action (waits for it) or record the current checklist or decision, then print the run')
      .option('--db <url>', 'the database URL (default: the run\'s, with the password from PGPASSWORD or ~/.pgpass)')
      .option('--confirm <name>', 'the confirmation a gated step needs: the database name on production, else any word (yes)')
      .option('--choose <option>', 'a decision\'s option id, or "recommended"')
      .option('--note <text>', 'a note recorded with the step')
      .option('--skip', 'skip the current step (before it starts, after it failed, or when interrupted)')
      .option('--input <name=value>', 'a value for one of the step\'s inputs; repeat for more', (v: string, prev: string[] = []) => [...prev, v]),
  ).action((runId: string, o: Where & { confirm?: string; choose?: string; note?: string; skip?: boolean; input?: string[] }) =>
    run(async () => {
      if (!RUN_ID.test(runId)) return usage(`${JSON.stringify(runId.slice(0, 80))} is not a run id (dr status lists them).`, o.json);
      if (o.skip && (o.choose || o.input?.length)) return usage('--skip takes no --choose or --input.', o.json);
      if (o.note !== undefined && o.note.length > 2000) return usage('--note is at most 2000 characters.', o.json);
      if (o.choose !== undefined && !/^[a-z][a-z0-9-]{0,62}$/.test(o.choose)) return usage(`--choose takes an option id (lower-case letters, digits, dashes) or "recommended", not ${JSON.stringify(o.choose.slice(0, 63))}.`, o.json);
      const inputs: Record<string, string> = {};
      for (const kv of o.input ?? []) {
        const m = /^([a-z][A-Za-z0-9]{0,62})=(.*)$/s.exec(kv);
        if (!m) return usage(`--input takes name=value (a camelCase name), not ${JSON.stringify(kv.slice(0, 80))}.`, o.json);
        if (m[2]!.length > 2000) return usage(`--input ${m[1]} is longer than 2000 characters.`, o.json);
        inputs[m[1]!] = m[2]!;
      }
      return withEngine(o, async ({ service }) => {
        const r = await service.next({ runId, ...(o.confirm !== undefined ? { confirm: o.confirm } : {}), ...(o.choose ? { choose: o.choose } : {}), ...(o.note !== undefined ? { note: o.note } : {}), ...(o.skip ? { skip: true } : {}), ...(o.input?.length ? { inputs } : {}) }, { wait: true }).catch(async (err: unknown) => {
          // Waiting for a confirmation: show the run, with what the step would run, before the refusal.
          if ((err as { code?: string }).code === 'confirmation_required' && !o.json) printText(showRun(await service.run(runId)));
          throw err;
        });
        if (o.json) printJson(r);
        else printText(showRun(r));
        return runExit(r);
      });
    }),
  );

  dr.command('status [run]')
    .description('the runs, or one run with its steps and clocks')
    .option('--data <dir>', 'app data directory holding the runs (default $PODCASTFLOW_OPS_HOME)')
    .option('--json', 'print one JSON document: the run, or { runs: [...] }')
    .action((runId: string | undefined, o: Where) =>
      run(async () => {
        if (runId !== undefined && !RUN_ID.test(runId)) return usage(`${JSON.stringify(runId.slice(0, 80))} is not a run id.`, o.json);
        return withEngine(o, async ({ service }) => {
          if (runId) {
            const r = await service.run(runId);
            if (o.json) printJson(r);
            else printText(showRun(r));
            return runExit(r);
          }
          const runs = await service.runs();
          if (o.json) printJson({ runs });
          else printText(runs.length ? runs.map((r) => `${r.id}  ${r.status.padEnd(9)} ${r.drill ? 'drill ' : ''}${r.currentStep ? `at ${r.currentStep}` : ''}  RTO ${clock(r.rto.elapsedSec)} of ${clock(r.rto.targetSec)}`).join('\n') : 'No DR runs yet.');
          return EXIT.ok;
        });
      }),
    );

  withKeys(
    dr
      .command('drill <scenario>')
      .description('an unattended drill on scratch objects only (deletion, system-failure; corruption on a throwaway cluster, never the live one); prints the measured RTO and RPO; exit 0 succeeded, 2 failed')
      .requiredOption('--db <url>', 'the database URL')
      .option('--tenant <schema>', 'deletion: the tenant to drill with (default: the one with the largest backup)'),
  ).action((scenario: string, o: Where & { tenant?: string }) =>
    run(async () => {
      if (scenario !== 'deletion' && scenario !== 'system-failure' && scenario !== 'corruption') return usage(`drills exist for deletion, system-failure and corruption, not ${JSON.stringify(scenario)}.`, o.json);
      // The corruption drill makes its own cluster and backup; the others restore the live database's backups.
      if (scenario !== 'corruption' && (!o.dest || !o.keyFile?.length)) return usage('a drill needs --dest DEST and --key-file FILE (the backups it restores).', o.json);
      const { stderrLogger } = await import('../core/util/log');
      const c = new AbortController();
      const stop = () => c.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return withEngine(o, async ({ service, where }) => {
        const d = await service.drill({ scenario: scenario as DrillRecord['scenario'], ...(o.tenant ? { tenant: o.tenant } : {}) }, { signal: c.signal, log: stderrLogger }, where);
        if (o.json) printJson(d);
        else printText(showDrill(d));
        return d.outcome === 'succeeded' ? EXIT.ok : EXIT.critical;
      });
    }),
  );
}
