import type { Finding } from '../../../../shared/domain/health';
import { formatBytes } from '../../../../shared/format';
import type { CheckDef, SqlSpec } from '../types';
import { above, bytes, seconds, statusOf, worst } from '../types';

interface Row { kind: 'replica' | 'slot' | 'standby'; name: string; state: string | null; lag_bytes: number | null; lag_sec: number | null; active: boolean | null }

const MB = 1024 * 1024;
const SQL: SqlSpec = { file: 'health_replication_lag' };

/** Replicas and slots of a primary, or the replay delay of a standby; skipped when there are none. */
export const replicationLag: CheckDef = {
  id: 'replication_lag', title: 'Replication lag', heavy: false, sql: [SQL],
  docs: "replicas, slots and retained WAL, or this standby's replay delay; `skipped` when there are none",
  thresholds: {
    replicationLagWarnBytes: bytes(64 * MB, 'Replica replay lag (WAL not yet replayed) above this size warns.'), replicationLagFailBytes: bytes(1024 * MB, 'Replica replay lag (WAL not yet replayed) above this size fails.'),
    replicationLagWarnSec: seconds(30, 'Replica replay lag above this time warns.'), replicationLagFailSec: seconds(300, 'Replica replay lag above this time fails.'),
    slotRetainedWarnBytes: bytes(1024 * MB, 'A replication slot retaining more WAL than this warns.'),
  },
  async run(ctx) {
    const rows = await ctx.rows<Row>(SQL);
    if (rows.length === 0) return { status: 'skipped', summary: 'No replicas, no replication slots, and this server is not a standby.', findings: [] };
    const findings: Finding[] = rows.map((r) => {
      const bytes = r.lag_bytes ?? 0;
      const sec = r.lag_sec ?? 0;
      if (r.kind === 'slot') {
        const sev = bytes >= ctx.t.slotRetainedWarnBytes ? (r.active ? 'warn' : 'critical') : 'info';
        return { severity: sev, object: `slot ${r.name}`, message: `${r.active ? 'Active' : 'Inactive'} ${r.state ?? ''} slot retaining ${formatBytes(bytes)} of WAL.`, data: { retainedBytes: bytes, active: r.active } };
      }
      const bySize = above(bytes, ctx.t.replicationLagWarnBytes, ctx.t.replicationLagFailBytes);
      const byTime = above(sec, ctx.t.replicationLagWarnSec, ctx.t.replicationLagFailSec);
      const sev = bySize === 'critical' || byTime === 'critical' ? 'critical' : bySize === 'warn' || byTime === 'warn' ? 'warn' : 'info';
      return { severity: sev, object: r.kind === 'standby' ? 'this standby' : `replica ${r.name}`, message: `${r.state ?? ''}: ${formatBytes(bytes)} and ${sec} s behind.`, data: { lagBytes: bytes, lagSec: sec, state: r.state } };
    });
    const maxBytes = rows.filter((r) => r.kind !== 'slot').reduce((m, r) => Math.max(m, r.lag_bytes ?? 0), 0);
    return {
      status: worst(statusOf(findings)),
      summary: `${rows.filter((r) => r.kind === 'replica').length} replicas, ${rows.filter((r) => r.kind === 'slot').length} slots${rows.some((r) => r.kind === 'standby') ? ', this server is a standby' : ''}; max lag ${formatBytes(maxBytes)}.`,
      value: maxBytes,
      findings,
      metrics: { lagBytes: maxBytes },
    };
  },
};
