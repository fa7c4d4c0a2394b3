/**
 * The security baseline (issue 12 item 2) and the persistence hunt against it (item 4, DR-REFERENCE D.7):
 * what a known-good database looks like from an attacker's point of view: roles and their memberships,
 * superusers, SECURITY DEFINER functions, event triggers, extensions, untrusted languages, pg_hba rules and
 * the functions in tenant schemas outside the reference shape. Recorded under
 * <home>/dr/baselines/<baselineId>.json (written atomically); the hunt names exactly what is new since.
 *
 * One rule for the file's name, whoever records or reads it: the database it describes, as
 * user@host:port/database (baselineId). The app's saved connection and the CLI's `--db` URL of the same
 * database therefore share one baseline: `dr baseline --db URL` is found by the DR page's hunt, and the DR
 * page's "Record baseline" by `dr next` of a CLI run.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { BaselineSummary } from '../../../../shared/domain/dr';
import type { Target } from '../../db/connection';
import { readJson, writeJsonAtomic } from '../../store/files';
import { OpsError } from '../../util/errors';
import { isPermissionDenied, rows, scopeParams, type Db, type TenantScope } from './common';

const RoleState = z.object({
  role: z.string(),
  superuser: z.boolean(),
  canLogin: z.boolean(),
  bypassRls: z.boolean(),
  memberOf: z.array(z.string()),
});
const HbaRule = z.object({ line: z.number().nullable(), rule: z.string() });

export const SecurityState = z.object({
  roles: z.array(RoleState),
  securityDefinerFunctions: z.array(z.object({ object: z.string(), owner: z.string() })),
  eventTriggers: z.array(z.object({ name: z.string(), event: z.string(), function: z.string() })),
  extensions: z.array(z.object({ name: z.string(), version: z.string(), schema: z.string() })),
  untrustedLanguages: z.array(z.string()),
  /** null: pg_hba_file_rules was not readable with the connection's role. */
  hbaRules: z.array(HbaRule).nullable(),
  tenantFunctions: z.array(z.object({ tenant: z.string(), object: z.string(), owner: z.string() })),
});
export type SecurityState = z.infer<typeof SecurityState>;

export const Baseline = z.object({
  format: z.literal('podcastflow-ops/security-baseline'),
  version: z.literal(1),
  connectionId: z.string(),
  database: z.string(),
  recordedAt: z.string(),
  state: SecurityState,
});
export type Baseline = z.infer<typeof Baseline>;

/** Connection ids become file names: letters, digits, dot, dash and underscore only. */
const CONNECTION_ID = /^[A-Za-z0-9._-]{1,100}$/;

function checkConnectionId(id: string): void {
  if (!CONNECTION_ID.test(id) || id.startsWith('.')) throw new OpsError('invalid_input', `${JSON.stringify(id)} is not a connection id.`, 'Use the id the console shows for the connection; nothing was recorded.');
}

/** The id a baseline is filed under: a hash of user@host:port/database (the same from the app and the CLI). */
export function baselineId(target: Pick<Target, 'user' | 'host' | 'port' | 'database'>): string {
  return 'url-' + createHash('sha256').update(`${target.user}@${target.host}:${target.port}/${target.database}`).digest('hex').slice(0, 16);
}

export function baselinePath(home: string, connectionId: string): string {
  checkConnectionId(connectionId);
  return join(home, 'dr', 'baselines', `${connectionId}.json`);
}

interface RoleRow { role: string; predefined: boolean; superuser: boolean; can_login: boolean; bypass_rls: boolean; member_of: { role: string }[] }
interface HbaRow { line_number: number | null; type: string | null; database: string[] | null; user_name: string[] | null; address: string | null; netmask: string | null; auth_method: string | null; options: string[] | null; error: string | null }

/** A rule as text, so that moved lines (a comment added above) are not changes. */
function hbaRule(r: HbaRow): string {
  if (r.error) return `invalid: ${r.error}`;
  return [r.type, (r.database ?? []).join(','), (r.user_name ?? []).join(','), r.address ?? '', r.netmask ?? '', r.auth_method, (r.options ?? []).join(' ')].filter((x) => x !== '').join(' ');
}

/** The security-relevant state of the database now. */
export async function securityState(db: Db, scope: TenantScope = {}): Promise<SecurityState> {
  // One after the other: a single client runs one query at a time.
  const roles = await rows<RoleRow>(db, 'dr_evidence_roles');
  const secdef = await rows<{ object: string; owner: string }>(db, 'dr_secdef_functions');
  const triggers = await rows<{ name: string; event: string; function: string }>(db, 'dr_event_triggers');
  const extensions = await rows<{ name: string; version: string; schema: string }>(db, 'dr_extensions');
  const languages = await rows<{ name: string }>(db, 'dr_untrusted_languages');
  const tenantFunctions = await rows<{ tenant: string; object: string; owner: string }>(db, 'dr_tenant_functions', scopeParams(scope));
  let hbaRules: SecurityState['hbaRules'];
  try {
    hbaRules = (await rows<HbaRow>(db, 'dr_hba_rules')).map((r) => ({ line: r.line_number, rule: hbaRule(r) }));
  } catch (err) {
    if (!isPermissionDenied(err)) throw err;
    hbaRules = null;
  }
  return {
    // Predefined roles (pg_*) come with the server version, not with an intruder.
    roles: roles.filter((r) => !r.predefined).map((r) => ({ role: r.role, superuser: r.superuser, canLogin: r.can_login, bypassRls: r.bypass_rls, memberOf: r.member_of.map((m) => m.role) })),
    securityDefinerFunctions: secdef.map(({ object, owner }) => ({ object, owner })),
    eventTriggers: triggers.map(({ name, event, function: fn }) => ({ name, event, function: fn })),
    extensions: extensions.map(({ name, version, schema }) => ({ name, version, schema })),
    untrustedLanguages: languages.map((l) => l.name),
    hbaRules,
    tenantFunctions: tenantFunctions.map(({ tenant, object, owner }) => ({ tenant, object, owner })),
  };
}

export interface RecordBaselineOptions extends TenantScope {
  home: string;
  connectionId: string;
  now?: () => Date;
}

/** Records the baseline now (replacing an older one of the same connection) and returns it. */
export async function recordBaseline(db: Db, opts: RecordBaselineOptions): Promise<Baseline> {
  const path = baselinePath(opts.home, opts.connectionId);
  const [{ database }] = (await db.query<{ database: string }>('SELECT current_database() AS database')).rows as [{ database: string }];
  const baseline: Baseline = {
    format: 'podcastflow-ops/security-baseline',
    version: 1,
    connectionId: opts.connectionId,
    database,
    recordedAt: (opts.now?.() ?? new Date()).toISOString(),
    state: await securityState(db, opts),
  };
  await writeJsonAtomic(path, baseline);
  return baseline;
}

/** The connection's recorded baseline, or undefined when none was recorded. */
export async function readBaseline(home: string, connectionId: string): Promise<Baseline | undefined> {
  return (await readJson(baselinePath(home, connectionId), Baseline.optional(), undefined)) ?? undefined;
}

/** What a baseline holds, in counts and names (the DR page's "Record baseline", the CLI's `dr baseline`). */
export function summariseBaseline(b: Baseline): BaselineSummary {
  const s = b.state;
  return {
    recordedAt: b.recordedAt,
    database: b.database,
    roles: s.roles.length,
    superusers: s.roles.filter((r) => r.superuser).map((r) => r.role),
    securityDefinerFunctions: s.securityDefinerFunctions.length,
    eventTriggers: s.eventTriggers.length,
    extensions: s.extensions.map((x) => x.name),
    untrustedLanguages: s.untrustedLanguages,
    hbaRules: s.hbaRules ? s.hbaRules.length : null,
    tenantFunctions: s.tenantFunctions.length,
  };
}

/** The baseline's age for DR readiness ("recorded 12 days ago"), or that there is none. */
export async function baselineAge(home: string, connectionId: string, now = Date.now()): Promise<{ recordedAt: string; ageSec: number } | undefined> {
  const b = await readBaseline(home, connectionId);
  return b && { recordedAt: b.recordedAt, ageSec: Math.max(0, Math.round((now - Date.parse(b.recordedAt)) / 1000)) };
}

/** How to record one, wherever the hunt ran. */
export const NO_BASELINE_HINT = 'Record one while the database is known good (Disaster Recovery page: Record baseline, or `dr baseline --db URL`), then run the step again; nothing was changed.';

export const HUNT_KINDS = [
  'new_role',
  'new_superuser',
  'new_membership',
  'new_security_definer_function',
  'new_event_trigger',
  'new_extension',
  'new_untrusted_language',
  'hba_rule_added',
  'hba_rule_removed',
  'new_tenant_function',
] as const;

export interface HuntFinding {
  kind: (typeof HUNT_KINDS)[number];
  object: string;
  tenant?: string;
  detail: string;
}

export interface HuntResult {
  baselineAt: string;
  checkedAt: string;
  findings: HuntFinding[];
  /** What could not be compared (pg_hba_file_rules not readable now or then). */
  notes: string[];
}

/** Items of `now` whose key is not among `then`'s, counting duplicates (two identical hba lines). */
function added<T>(then: T[], now: T[], key: (t: T) => string): T[] {
  const left = new Map<string, number>();
  for (const t of then) left.set(key(t), (left.get(key(t)) ?? 0) + 1);
  return now.filter((t) => {
    const n = left.get(key(t)) ?? 0;
    if (n > 0) left.set(key(t), n - 1);
    return n === 0;
  });
}

/** What is new since the baseline: exactly that, nothing else. Read-only. */
export function compareToBaseline(baseline: Baseline, now: SecurityState, checkedAt = new Date()): HuntResult {
  const then = baseline.state;
  const findings: HuntFinding[] = [];
  const notes: string[] = [];
  const before = new Map(then.roles.map((r) => [r.role, r]));
  for (const r of now.roles) {
    const old = before.get(r.role);
    if (!old) {
      const attrs = [r.superuser && 'SUPERUSER', r.canLogin && 'LOGIN', r.bypassRls && 'BYPASSRLS'].filter(Boolean).join(' ');
      findings.push({ kind: r.superuser ? 'new_superuser' : 'new_role', object: r.role, detail: `role ${r.role} did not exist at the baseline${attrs ? ` (${attrs})` : ''}${r.memberOf.length ? `; member of ${r.memberOf.join(', ')}` : ''}` });
      continue;
    }
    if (r.superuser && !old.superuser) findings.push({ kind: 'new_superuser', object: r.role, detail: `role ${r.role} has become a superuser since the baseline` });
    for (const g of r.memberOf.filter((m) => !old.memberOf.includes(m))) findings.push({ kind: 'new_membership', object: r.role, detail: `role ${r.role} has been made a member of ${g} since the baseline` });
  }
  for (const f of added(then.securityDefinerFunctions, now.securityDefinerFunctions, (f) => f.object)) findings.push({ kind: 'new_security_definer_function', object: f.object, detail: `SECURITY DEFINER function ${f.object} owned by ${f.owner} is new since the baseline` });
  for (const t of added(then.eventTriggers, now.eventTriggers, (t) => t.name)) findings.push({ kind: 'new_event_trigger', object: t.name, detail: `event trigger ${t.name} on ${t.event} running ${t.function} is new since the baseline` });
  for (const x of added(then.extensions, now.extensions, (x) => x.name)) findings.push({ kind: 'new_extension', object: x.name, detail: `extension ${x.name} ${x.version} in schema ${x.schema} is new since the baseline` });
  for (const l of added(then.untrustedLanguages, now.untrustedLanguages, (l) => l)) findings.push({ kind: 'new_untrusted_language', object: l, detail: `untrusted language ${l} is new since the baseline: its functions run any code as the server's OS user` });
  if (then.hbaRules && now.hbaRules) {
    for (const h of added(then.hbaRules, now.hbaRules, (h) => h.rule)) findings.push({ kind: 'hba_rule_added', object: `pg_hba.conf line ${h.line ?? '?'}`, detail: `rule "${h.rule}" is new since the baseline` });
    for (const h of added(now.hbaRules, then.hbaRules, (h) => h.rule)) findings.push({ kind: 'hba_rule_removed', object: `pg_hba.conf line ${h.line ?? '?'} (at the baseline)`, detail: `rule "${h.rule}" has been removed since the baseline` });
  } else notes.push(`pg_hba rules were not compared: not readable ${now.hbaRules ? 'when the baseline was recorded' : 'with this connection now'}.`);
  for (const f of added(then.tenantFunctions, now.tenantFunctions, (f) => `${f.tenant}\0${f.object}`)) findings.push({ kind: 'new_tenant_function', object: f.object, tenant: f.tenant, detail: `function ${f.object} (owner ${f.owner}) is not in the tenants' reference shape and is new since the baseline` });
  return { baselineAt: baseline.recordedAt, checkedAt: checkedAt.toISOString(), findings, notes };
}

/** persistence_hunt: the database now against its recorded baseline. Read-only. */
export async function persistenceHunt(db: Db, baseline: Baseline | undefined, scope: TenantScope = {}): Promise<HuntResult> {
  if (!baseline) throw new OpsError('no_baseline', 'No security baseline was recorded for this connection, so there is nothing to hunt against.', NO_BASELINE_HINT);
  const parsed = Baseline.safeParse(baseline);
  if (!parsed.success) throw new OpsError('corrupt_state', `The security baseline is not in its format: ${parsed.error.issues[0]?.message ?? 'invalid'}.`, 'Record it again on a known-good database.');
  return compareToBaseline(parsed.data, await securityState(db, scope));
}
