import { useState } from 'react';
import type { RunStep } from '../../../../shared/domain/dr';
import { count, duration } from '../../format';

import { isObj, num, str, type Obj } from './output-util';
import { SECURITY_VIEWS } from './SecurityOutput';

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

const cell = (v: unknown) => (num(v) === undefined ? '–' : count(num(v)!));

/** A few keys of sample rows, compactly: "id=7, id=14, …". */
function sampleText(rows: unknown): string {
  if (!Array.isArray(rows) || rows.length === 0) return '';
  const one = (r: unknown) => (isObj(r) ? Object.entries(r).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ') : String(r));
  return rows.slice(0, 5).map(one).join(', ') + (rows.length > 5 ? ', …' : '');
}

/** diff (actions/diff.ts DiffResult): per table, rows missing in live, changed, added after the backup, with samples. */
function Diff({ out }: { out: Obj }) {
  const [all, setAll] = useState(false);
  const tables = Array.isArray(out.tables) ? out.tables.filter(isObj) : [];
  const differs = (t: Obj) => t.inLive === false || (num(t.missingInLive) ?? 0) > 0 || (num(t.changedInLive) ?? 0) > 0 || (num(t.addedInLive) ?? 0) > 0;
  const shown = all ? tables : tables.filter(differs);
  const totals = isObj(out.totals) ? out.totals : {};
  const dropped = Array.isArray(out.droppedInLive) ? out.droppedInLive.map(String) : [];
  return (
    <div className="step-output">
      <p className="small-text">
        <span className="mono">{str(out.copy)}</span> against <span className="mono">{str(out.live)}</span>: <strong className={(num(totals.missingInLive) ?? 0) > 0 ? 'error-text' : ''}>{cell(totals.missingInLive)} missing in live</strong>, {cell(totals.changedInLive)} changed, {cell(totals.addedInLive)} added after the backup, over {cell(totals.tables)} tables.
        {dropped.length > 0 && <span className="error-text"> Dropped in live: {dropped.join(', ')}.</span>}
      </p>
      <table className="grid dr-diff" aria-label="Differences per table">
        <thead>
          <tr>
            <th>Table</th>
            <th>Copy rows</th>
            <th>Live rows</th>
            <th>Missing in live</th>
            <th>Changed</th>
            <th>Added after backup</th>
            <th>Samples</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((t, i) => {
            const samples = isObj(t.samples) ? t.samples : {};
            const missing = num(t.missingInLive) ?? 0;
            const notes = Array.isArray(t.notes) ? t.notes.map(String) : [];
            return (
              <tr key={str(t.table) ?? i}>
                <td className="mono">
                  {str(t.table) ?? '?'}
                  {t.inLive === false && <span className="badge badge-critical">dropped in live</span>}
                </td>
                <td>{cell(t.copyRows)}</td>
                <td>{cell(t.liveRows)}</td>
                <td className={missing > 0 ? 'error-text' : ''}>{cell(t.missingInLive)}</td>
                <td>{t.changedInLive === null ? <span className="muted">no key</span> : cell(t.changedInLive)}</td>
                <td>{cell(t.addedInLive)}</td>
                <td className="mono small-text">
                  {[['missing', samples.missing], ['changed', samples.changed], ['added', samples.added]].map(([k, v]) => {
                    const text = sampleText(v);
                    return text ? (
                      <div key={String(k)}>
                        <span className="muted">{String(k)}:</span> {text}
                      </div>
                    ) : null;
                  })}
                  {notes.map((n) => (
                    <div key={n} className="warn-text">
                      {n}
                    </div>
                  ))}
                </td>
              </tr>
            );
          })}
          {shown.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No table differs.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {tables.length > shown.length || all ? (
        <button className="link" onClick={() => setAll(!all)}>
          {all ? 'Only the tables that differ' : `All ${tables.length} tables`}
        </button>
      ) : null}
    </div>
  );
}

/** Generated SQL, shown as it is (before it runs, where the output carries it; after, for the record). */
export function SqlBlock({ sql }: { sql: string }) {
  return (
    <pre className="sql mono" aria-label="Generated SQL" tabIndex={0}>
      {sql}
    </pre>
  );
}

/** merge_back (actions/merge.ts MergeResult + its plan): rows inserted per table against the diff's count, and the SQL. */
function Merge({ out, ran }: { out: Obj; ran: boolean }) {
  const plan = isObj(out.plan) ? out.plan : out;
  const statements = Array.isArray(plan.statements) ? plan.statements.filter(isObj) : [];
  const inserted = Array.isArray(out.inserted) ? out.inserted.filter(isObj) : [];
  const skipped = Array.isArray(plan.skipped) ? plan.skipped.filter(isObj) : [];
  const notes = Array.isArray(plan.notes) ? plan.notes.map(String) : [];
  const sql = statements.map((st) => `-- ${str(st.table)}: ${cell(st.expectedRows)} row(s) expected\n${str(st.sql) ?? ''};`).join('\n\n');
  return (
    <div className="step-output">
      {ran && (
        <>
          <p className="small-text">
            <strong>{cell(out.total)} rows</strong> put back into <span className="mono">{str(out.live)}</span> from <span className="mono">{str(out.copy)}</span>, in one transaction.
          </p>
          <table className="grid" aria-label="Rows inserted per table">
            <thead>
              <tr>
                <th>Table</th>
                <th>Rows inserted</th>
                <th>Missing per the diff</th>
              </tr>
            </thead>
            <tbody>
              {inserted.map((r, i) => (
                <tr key={str(r.table) ?? i}>
                  <td className="mono">{str(r.table)}</td>
                  <td className={num(r.rows) === num(r.expectedRows) ? 'ok-text' : 'warn-text'}>{cell(r.rows)}</td>
                  <td>{cell(r.expectedRows)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {!ran && statements.length === 0 && <p className="small-text">Nothing to merge: no row of the copy is missing in live.</p>}
      {skipped.map((k, i) => (
        <p key={i} className="warn-text small-text">
          Not merged: <span className="mono">{str(k.table)}</span>: {str(k.reason)}
        </p>
      ))}
      {notes.map((n) => (
        <p key={n} className="muted small-text">
          {n}
        </p>
      ))}
      {sql &&
        (ran ? (
          <details className="small-text">
            <summary>The SQL that ran ({statements.length} statements)</summary>
            <SqlBlock sql={sql} />
          </details>
        ) : (
          <SqlBlock sql={sql} />
        ))}
    </div>
  );
}

/** What a step's action returned, readably per action; anything else as key/value rows. */
export function StepOutput({ step }: { step: RunStep }) {
  const out = step.output;
  if (out === undefined || out === null) return null;
  if (!isObj(out)) return <KeyValue value={out} />;
  const Security = step.action ? SECURITY_VIEWS[step.action] : undefined;
  if (Security) return <Security out={out} />;
  if (step.action === 'choose_restore_point' && isObj(out.backup)) return <RestorePoint out={out} />;
  if (step.action === 'diff' && Array.isArray(out.tables)) return <Diff out={out} />;
  if (step.action === 'merge_back' && (Array.isArray(out.inserted) || isObj(out.plan) || Array.isArray(out.statements))) return <Merge out={out} ran={Array.isArray(out.inserted)} />;
  return (
    <div className="step-output">
      <KeyValue value={out} />
    </div>
  );
}
