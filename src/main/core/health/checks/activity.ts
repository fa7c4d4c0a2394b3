import type { Finding } from '../../../../shared/domain/health';
import type { CheckDef, SqlSpec } from '../types';
import { above, pct, qualified, ratio, seconds, statusOf, tenantField } from '../types';

interface ConnRow { max_connections: number; reserved: number; by_state: Record<string, number>; top_clients: { user: string; application: string; database: string; n: number }[] }

const CONNECTIONS_SQL: SqlSpec = { file: 'health_connections' };

export const connections: CheckDef = {
  id: 'connections', title: 'Connections', heavy: false, critical: true, sql: [CONNECTIONS_SQL],
  docs: 'client backends by state against usable slots',
  thresholds: { connectionsWarn: ratio(0.8, 'Share of usable connection slots in use above which this warns.'), connectionsFail: ratio(0.95, 'Share of usable connection slots in use above which this fails.') },
  history: { 'conn.used': 'used', 'conn.max': 'max', 'conn.usable': 'usable', 'conn.*': 'state.*' },
  async run(ctx) {
    const [r] = await ctx.rows<ConnRow>(CONNECTIONS_SQL);
    if (!r) throw new Error('no answer from pg_stat_activity');
    const used = Object.values(r.by_state).reduce((a, b) => a + b, 0);
    const usable = Math.max(1, r.max_connections - r.reserved);
    const share = used / usable;
    const severity = above(share, ctx.t.connectionsWarn, ctx.t.connectionsFail);
    const findings: Finding[] = [
      ...(severity !== 'info' ? [{ severity, message: `${used} of ${usable} usable connection slots in use (${pct(share, 0)}).`, data: { used, usable } }] : []),
      ...r.top_clients.map((c) => ({ severity: 'info' as const, object: `${c.user}@${c.database}`, message: `${c.n} connections from ${c.application || 'an unnamed application'}.`, data: c })),
    ];
    const metrics: Record<string, number> = { used, max: r.max_connections, usable };
    for (const [state, n] of Object.entries(r.by_state)) metrics[`state.${state}`] = n;
    return {
      status: statusOf(findings),
      summary: `${used} / ${usable} usable slots (${pct(share, 0)}): ${Object.entries(r.by_state).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}.`,
      value: share,
      findings,
      metrics,
    };
  },
};

interface LongRow { pid: number; user_name: string | null; application_name: string | null; client_addr: string | null; database: string | null; state: string; query_sec: number | null; xact_sec: number | null; state_sec: number | null; wait_event_type: string | null; query: string }

const LONG_SQL: SqlSpec = { file: 'health_long_running', params: { active_secs: (c) => c.t.activeWarnSec, idle_secs: (c) => c.t.idleTxWarnSec } };

export const longRunning: CheckDef = {
  id: 'long_running', title: 'Long-running queries', heavy: false, sql: [LONG_SQL],
  docs: 'active queries and idle-in-transaction sessions',
  thresholds: {
    activeWarnSec: seconds(300, 'An active query running longer than this warns.'), activeFailSec: seconds(1_800, 'An active query running longer than this is critical.'),
    idleTxWarnSec: seconds(60, 'A session idle in transaction longer than this warns.'), idleTxFailSec: seconds(600, 'A session idle in transaction longer than this is critical.'),
  },
  async run(ctx) {
    const rows = await ctx.rows<LongRow>(LONG_SQL);
    const findings: Finding[] = rows.map((r) => {
      const idle = r.state !== 'active';
      const sec = (idle ? r.state_sec : r.query_sec) ?? 0;
      return {
        severity: idle ? above(sec, ctx.t.idleTxWarnSec, ctx.t.idleTxFailSec) : above(sec, ctx.t.activeWarnSec, ctx.t.activeFailSec),
        object: `pid ${r.pid}`,
        message: `${idle ? 'Idle in transaction' : 'Active'} for ${sec} s (${r.user_name ?? '?'} via ${r.application_name || '?'}${r.client_addr ? ` from ${r.client_addr}` : ''}): ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`,
        data: { pid: r.pid, user: r.user_name, application: r.application_name, database: r.database, state: r.state, seconds: sec, transactionSec: r.xact_sec, waitEventType: r.wait_event_type, query: r.query, fixSql: `SELECT pg_cancel_backend(${r.pid}); -- or pg_terminate_backend(${r.pid})` },
      };
    });
    return {
      status: statusOf(findings),
      summary: rows.length === 0 ? `No query active over ${ctx.t.activeWarnSec} s, no session idle in transaction over ${ctx.t.idleTxWarnSec} s.` : `${rows.filter((r) => r.state === 'active').length} long active queries, ${rows.filter((r) => r.state !== 'active').length} sessions idle in transaction.`,
      value: rows.length,
      findings,
    };
  },
};

interface BlockedRow { pid: number; user_name: string | null; application_name: string | null; waiting_sec: number; wait_event_type: string | null; wait_event: string | null; query: string; locktype: string | null; mode: string | null; schema: string | null; relation: string | null; tenant: string | null; blocking_pids: number[]; blockers: unknown[] | null }

const BLOCKED_SQL: SqlSpec = { file: 'health_blocked_queries', params: { pattern: (c) => c.tenantPattern } };

export const blockedQueries: CheckDef = {
  id: 'blocked_queries', title: 'Blocked queries', heavy: false, sql: [BLOCKED_SQL],
  docs: 'who blocks whom, on which relation, since when',
  thresholds: { blockedWarnSec: seconds(10, 'A query waiting on a lock longer than this warns (shorter waits are listed as info).'), blockedFailSec: seconds(120, 'A query waiting on a lock longer than this is critical.') },
  async run(ctx) {
    const rows = await ctx.rows<BlockedRow>(BLOCKED_SQL);
    const findings: Finding[] = rows.map((r) => {
      const on = r.relation ? qualified(r.schema, r.relation) : (r.locktype ?? r.wait_event ?? 'a lock');
      return {
        severity: above(r.waiting_sec, ctx.t.blockedWarnSec, ctx.t.blockedFailSec),
        object: on,
        ...tenantField(r.tenant),
        message: `pid ${r.pid} has waited ${r.waiting_sec} s for ${r.mode ?? 'a lock'} on ${on}, blocked by pid ${r.blocking_pids.join(', ')}: ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`,
        data: { pid: r.pid, user: r.user_name, application: r.application_name, waitingSec: r.waiting_sec, lockType: r.locktype, mode: r.mode, blockingPids: r.blocking_pids, blockers: r.blockers ?? [], query: r.query },
      };
    });
    return {
      status: statusOf(findings),
      summary: rows.length === 0 ? 'Nothing is waiting on a lock.' : `${rows.length} queries waiting on locks; longest ${Math.max(...rows.map((r) => r.waiting_sec))} s.`,
      value: rows.length,
      findings,
    };
  },
};

