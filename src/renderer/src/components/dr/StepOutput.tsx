import type { RunStep } from '../../../../shared/domain/dr';
import { count, duration } from '../../format';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Any JSON as nested key/value rows: what an action returned, readable without knowing its shape. */
export function KeyValue({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => !isObj(v) && !Array.isArray(v))) return <span className="mono">{value.map(String).join(', ')}</span>;
    return (
      <ol className="kv-list">
        {value.slice(0, 50).map((v, i) => (
          <li key={i}>
            <KeyValue value={v} depth={depth + 1} />
          </li>
        ))}
        {value.length > 50 && <li className="muted">… and {value.length - 50} more</li>}
      </ol>
    );
  }
  if (isObj(value)) {
    const entries = Object.entries(value);
    if (!entries.length) return <span className="muted">–</span>;
    return (
      <dl className="kv">
        {entries.map(([k, v]) => (
          <div key={k} className="kv-row">
            <dt>{k}</dt>
            <dd>{depth > 3 ? <code>{JSON.stringify(v)}</code> : <KeyValue value={v} depth={depth + 1} />}</dd>
          </div>
        ))}
      </dl>
    );
  }
  if (value === null || value === undefined) return <span className="muted">–</span>;
  if (typeof value === 'boolean') return <span>{value ? 'yes' : 'no'}</span>;
  return <span className="mono">{String(value)}</span>;
}

/** choose_restore_point: the backup, whether it was verified, and the RPO gap. */
function RestorePoint({ out }: { out: Obj }) {
  const backup = isObj(out.backup) ? out.backup : {};
  const gap = num(out.rpoGapSec);
  const alternatives = Array.isArray(out.alternatives) ? out.alternatives.filter(isObj) : [];
  return (
    <div className="step-output">
      <dl className="kv">
        <div className="kv-row">
          <dt>Backup</dt>
          <dd className="mono">{str(backup.id) ?? '–'}</dd>
        </div>
        <div className="kv-row">
          <dt>Kind</dt>
          <dd>
            {str(backup.kind) ?? '–'}
            {str(backup.tenant) ? ` of ${str(backup.tenant)}` : ''}
          </dd>
        </div>
        <div className="kv-row">
          <dt>Finished</dt>
          <dd>{str(backup.finishedAt) ? new Date(str(backup.finishedAt)!).toLocaleString() : '–'}</dd>
        </div>
        <div className="kv-row">
          <dt>Verified</dt>
          <dd>{out.verified === true ? <span className="ok-text">yes, restorable</span> : <span className="warn-text">not verified</span>}</dd>
        </div>
        <div className="kv-row">
          <dt>RPO gap</dt>
          <dd>{gap === undefined ? '–' : `${duration(gap)} (incident time − backup)`}</dd>
        </div>
      </dl>
      {str(out.warning) && <p className="warn-text small-text">{str(out.warning)}</p>}
      {alternatives.length > 0 && (
        <details className="small-text">
          <summary>{alternatives.length} older candidates</summary>
          <ul>
            {alternatives.map((a, i) => (
              <li key={i} className="mono">
                {str(isObj(a.backup) ? a.backup.id : undefined)} · gap {duration(num(a.rpoGapSec) ?? NaN)}
                {a.verified === true ? ' · verified' : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** A table's row: its name and the counts a diff or a merge names. */
function tablesOf(out: Obj): Obj[] {
  const t = out.tables;
  if (Array.isArray(t)) return t.filter(isObj);
  if (isObj(t)) return Object.entries(t).map(([table, v]) => (isObj(v) ? { table, ...v } : { table, value: v }));
  return [];
}

const cell = (v: unknown) => (num(v) === undefined ? '–' : count(num(v)!));

/** diff: per table, rows missing in live, changed, added since the backup, with samples. */
function Diff({ out }: { out: Obj }) {
  const tables = tablesOf(out);
  const rest = Object.fromEntries(Object.entries(out).filter(([k]) => k !== 'tables'));
  return (
    <div className="step-output">
      <table className="grid" aria-label="Differences per table">
        <thead>
          <tr>
            <th>Table</th>
            <th>Missing in live</th>
            <th>Changed</th>
            <th>Added after backup</th>
            <th>Samples</th>
          </tr>
        </thead>
        <tbody>
          {tables.map((t, i) => {
            const missing = num(t.missing) ?? 0;
            return (
              <tr key={str(t.table) ?? i}>
                <td className="mono">{str(t.table) ?? str(t.name) ?? '?'}</td>
                <td className={missing > 0 ? 'error-text' : ''}>{cell(t.missing)}</td>
                <td>{cell(t.changed)}</td>
                <td>{cell(t.added)}</td>
                <td>{t.samples === undefined ? '–' : <KeyValue value={t.samples} depth={2} />}</td>
              </tr>
            );
          })}
          {tables.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No table differs.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {Object.keys(rest).length > 0 && <KeyValue value={rest} />}
    </div>
  );
}

/** The generated SQL of a merge, before it runs. */
export function SqlBlock({ sql }: { sql: string }) {
  return (
    <pre className="sql mono" aria-label="Generated SQL" tabIndex={0}>
      {sql}
    </pre>
  );
}

/** merge_back: the SQL (until it ran) and the rows inserted per table after. */
function Merge({ out, ran }: { out: Obj; ran: boolean }) {
  const sql = str(out.sql);
  const inserted = isObj(out.inserted) ? Object.entries(out.inserted) : tablesOf(out).map((t) => [str(t.table) ?? '?', t.inserted] as const);
  const rest = Object.fromEntries(Object.entries(out).filter(([k]) => !['sql', 'inserted', 'tables'].includes(k)));
  return (
    <div className="step-output">
      {ran && inserted.length > 0 && (
        <table className="grid" aria-label="Rows inserted per table">
          <thead>
            <tr>
              <th>Table</th>
              <th>Rows inserted</th>
            </tr>
          </thead>
          <tbody>
            {inserted.map(([table, n]) => (
              <tr key={table}>
                <td className="mono">{table}</td>
                <td>{cell(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sql &&
        (ran ? (
          <details className="small-text">
            <summary>SQL that ran</summary>
            <SqlBlock sql={sql} />
          </details>
        ) : (
          <SqlBlock sql={sql} />
        ))}
      {Object.keys(rest).length > 0 && <KeyValue value={rest} />}
    </div>
  );
}

/** What a step's action returned, readably per action; anything else as key/value rows. */
export function StepOutput({ step }: { step: RunStep }) {
  const out = step.output;
  if (out === undefined || out === null) return null;
  if (!isObj(out)) return <KeyValue value={out} />;
  if (step.action === 'choose_restore_point' && isObj(out.backup)) return <RestorePoint out={out} />;
  if (step.action === 'diff') return <Diff out={out} />;
  if (step.action === 'merge_back') return <Merge out={out} ran={step.status === 'succeeded'} />;
  return (
    <div className="step-output">
      <KeyValue value={out} />
    </div>
  );
}
