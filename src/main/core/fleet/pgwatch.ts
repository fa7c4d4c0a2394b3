/**
 * `export pgwatch`: the health checks' queries as pgwatch (v3) metric definitions, so a team that runs
 * pgwatch collects the same figures continuously. Generated from the check definitions (CHECKS): each
 * query of a check becomes a metric whose SQL is resources/sql/<file>.sql with its parameters inlined at
 * their defaults (DEFAULT_THRESHOLDS, the default tenant pattern), wrapped to add pgwatch's `epoch_ns`,
 * text columns renamed `tag_<name>` (pgwatch's tag columns) and numeric ones listed as gauges.
 *
 * The result columns of each query are in resources/pgwatch/columns.json, described from a live
 * server by tests/integration/pgwatch.test.ts (which fails when it is stale and rewrites it with
 * PGWATCH_COLUMNS_UPDATE=1). Left out: probes, on-demand queries about one named table (exact bloat),
 * and the tenant isolation check: its verdict is the app's
 * comparison of several catalog queries, not a figure of one; /metrics has it
 * (pfops_tenant_isolation_violations).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_TENANT_PATTERN } from '../../../shared/vocabulary';
import { loadSql, printableSql, sqlParams } from '../db/sql';
import { bindParams, CHECKS } from '../health/registry';
import { DEFAULT_THRESHOLDS } from '../health/thresholds';
import type { CheckContext, SqlSpec } from '../health/types';
import { resourcePath } from '../util/paths';

/** Oldest major version the queries are written for (pg_stat_statements' *_exec_time columns: 13). */
export const PGWATCH_MIN_VERSION = 13;

export const ColumnKind = z.enum(['tag', 'gauge', 'field']);
export const ColumnCatalog = z.record(z.string(), z.array(z.object({ name: z.string(), kind: ColumnKind })));
export type ColumnCatalog = z.infer<typeof ColumnCatalog>;

export const columnsFile = () => resourcePath('pgwatch', 'columns.json');

export function readColumnCatalog(): ColumnCatalog {
  return ColumnCatalog.parse(JSON.parse(readFileSync(columnsFile(), 'utf8')));
}

/** How a column of a given PostgreSQL type is collected: text as a tag, numbers as gauges, the rest as fields. */
export function columnKind(typeOid: number): z.infer<typeof ColumnKind> {
  // text, name, varchar, char
  if ([25, 19, 1043, 1042].includes(typeOid)) return 'tag';
  // int2, int4, int8, float4, float8, numeric, oid
  if ([21, 23, 20, 700, 701, 1700, 26].includes(typeOid)) return 'gauge';
  return 'field';
}

export interface ExportedQuery {
  metric: string;
  checkId: string;
  title: string;
  docs: string;
  heavy: boolean;
  file: string;
  /** The query as the app runs it, parameters inlined (before the pgwatch wrapping). */
  sql: string;
}

/** The queries to export, in check order: every query of every check but tenant isolation and the probes. */
export function exportedQueries(): ExportedQuery[] {
  const ctx = { tenantPattern: DEFAULT_TENANT_PATTERN, t: DEFAULT_THRESHOLDS } as CheckContext;
  const out: ExportedQuery[] = [];
  for (const def of CHECKS) {
    if (def.id === 'tenant_isolation') continue;
    const specs = def.sql.filter((s) => !s.file.endsWith('_probe') && !onDemand(s));
    for (const spec of specs) {
      out.push({
        metric: `podcastflow_${def.id}${specs.length > 1 ? `_${spec.file.replace(/^health_/, '')}` : ''}`,
        checkId: def.id,
        title: def.title,
        docs: def.docs,
        heavy: def.heavy,
        file: spec.file,
        sql: printableSql(spec.file, stringValues(spec, ctx)).replace(/;\s*$/, ''),
      });
    }
  }
  return out;
}

/** A query about one object the operator names (exact bloat of a table): a parameter without a default the check does not bind. */
function onDemand(spec: SqlSpec): boolean {
  return sqlParams(loadSql(spec.file)).some((p) => p.default === undefined && !(p.name in (spec.params ?? {})));
}

/** A SqlSpec's bound values, spelled as `sql print --param` takes them. */
function stringValues(spec: SqlSpec, ctx: CheckContext): Record<string, string> {
  const names = Object.keys(spec.params ?? {});
  const values = bindParams(spec, ctx);
  return Object.fromEntries(names.map((n, i) => [n, Array.isArray(values[i]) ? (values[i] as unknown[]).join(',') : String(values[i])]));
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The query wrapped for pgwatch: epoch_ns first, text columns as tag_<name>. */
export function pgwatchSql(q: ExportedQuery, columns: ColumnCatalog[string]): string {
  const list = columns.map((c) => (c.kind === 'tag' ? `q.${ident(c.name)} AS ${ident(`tag_${c.name}`)}` : `q.${ident(c.name)}`));
  return [
    'SELECT /* pgwatch_generated */ (extract(epoch from now()) * 1e9)::int8 AS epoch_ns,',
    `       ${list.join(',\n       ')}`,
    '  FROM (',
    q.sql.replace(/^/gm, '    '),
    '  ) q',
  ].join('\n');
}

export interface PgwatchMetric {
  description: string;
  sqls: Record<number, string>;
  gauges: string[];
}

export interface PgwatchDefinitions {
  metrics: Record<string, PgwatchMetric>;
  presets: Record<string, { description: string; metrics: Record<string, number> }>;
}

export function pgwatchDefinitions(catalog: ColumnCatalog = readColumnCatalog()): PgwatchDefinitions {
  const metrics: Record<string, PgwatchMetric> = {};
  const preset: Record<string, number> = {};
  for (const q of exportedQueries()) {
    const columns = catalog[q.file];
    if (!columns) throw new Error(`resources/pgwatch/columns.json has no columns for ${q.file}.sql; regenerate it (PGWATCH_COLUMNS_UPDATE=1 npx vitest run tests/integration/pgwatch.test.ts).`);
    metrics[q.metric] = {
      description: `${q.title}: ${q.docs.replace(/`/g, '')}. Generated by podcastflow-ops export pgwatch from resources/sql/${q.file}.sql, parameters at their defaults.`,
      sqls: { [PGWATCH_MIN_VERSION]: pgwatchSql(q, columns) },
      gauges: columns.filter((c) => c.kind === 'gauge').map((c) => c.name),
    };
    preset[q.metric] = q.heavy ? DEFAULT_THRESHOLDS.heavyIntervalSec : DEFAULT_THRESHOLDS.cheapIntervalSec;
  }
  return { metrics, presets: { podcastflow: { description: "PodcastFlow Ops' health checks, at the console's sampler intervals.", metrics: preset } } };
}

/** A small YAML writer for this document's shapes: maps, lists of strings, numbers, and strings (multi-line ones as `|-` blocks). */
export function toYaml(value: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  const scalar = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(String(v)));
  if (Array.isArray(value)) return value.map((v) => `${pad}- ${scalar(v)}\n`).join('');
  let out = '';
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = /^[A-Za-z0-9_]+$/.test(k) ? k : JSON.stringify(k);
    if (typeof v === 'string' && v.includes('\n')) out += `${pad}${key}: |-\n${v.replace(/^/gm, `${pad}  `)}\n`;
    else if (Array.isArray(v)) out += v.length ? `${pad}${key}:\n${toYaml(v, indent + 2)}` : `${pad}${key}: []\n`;
    else if (v !== null && typeof v === 'object') out += `${pad}${key}:\n${toYaml(v, indent + 2)}`;
    else out += `${pad}${key}: ${scalar(v)}\n`;
  }
  return out;
}

export function pgwatchYaml(defs = pgwatchDefinitions()): string {
  return `# pgwatch (v3) metric definitions generated by podcastflow-ops export pgwatch; do not edit, regenerate.\n${toYaml(defs)}`;
}
