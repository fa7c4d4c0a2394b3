import { breachScopeCsv, type BreachScope } from '../../../../shared/breach-scope';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';
import type { DrAction } from '../../../../shared/domain/dr';
import { count, duration } from '../../format';
import { isObj, num, objs, str, strs, type Obj } from './output-util';

const ROW_H = 24;
const when = (iso: unknown) => (str(iso) ? new Date(str(iso)!).toLocaleString() : '–');

interface Column<T> {
  header: string;
  /** A CSS grid track: 12em, 1fr, … */
  width: string;
  cell(row: T): ReactNode;
}

/** A dense table whose body is virtualised: a breach scope, a sweep or a lock can list 2,000 tenants. */
function VirtualTable<T>({ label, rows, columns, empty }: { label: string; rows: T[]; columns: Column<T>[]; empty: string }) {
  const parentRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render only, never memoized
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW_H, overscan: 12 });
  const template = { gridTemplateColumns: columns.map((c) => c.width).join(' ') };
  if (!rows.length) return <p className="muted small-text">{empty}</p>;
  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={rows.length}>
      <div className="vtable-head" role="row" style={template}>
        {columns.map((c) => (
          <div key={c.header} role="columnheader">
            {c.header}
          </div>
        ))}
      </div>
      <div ref={parentRef} className="vtable-body" style={{ height: Math.min(rows.length * ROW_H + 2, 264) }}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div key={item.key} role="row" className="vtable-row" style={{ ...template, height: ROW_H, transform: `translateY(${item.start}px)` }}>
              {columns.map((c) => (
                <div key={c.header} role="cell">
                  {c.cell(rows[item.index]!)}
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => (
        <div key={k} className="kv-row">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Notes({ notes }: { notes: string[] }) {
  return (
    <>
      {notes.map((n) => (
        <p key={n} className="warn-text small-text">
          {n}
        </p>
      ))}
    </>
  );
}

/** The files a step kept for the record, with the SHA-256 that the journal carries. */
export function Evidence({ files }: { files: { file: string; sha256: string }[] }) {
  return (
    <div className="step-output">
      <table className="grid" aria-label="Evidence">
        <thead>
          <tr>
            <th>Evidence file ({files.length})</th>
            <th>SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.file}>
              <td className="mono">{f.file}</td>
              <td className="mono small-text">{f.sha256}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const ownerEmails = (t: Obj) => objs(isObj(t.contacts) ? t.contacts.owners : undefined).map((o) => str(o.email) ?? '');
const organisation = (t: Obj) => str(isObj(t.contacts) ? t.contacts.organization : undefined);

/** breach_scope: every tenant the role could read, how, and whom to notify. */
function BreachScopeView({ out }: { out: Obj }) {
  const tenants = objs(out.tenants);
  const download = () => {
    // The same CSV the core kept as evidence, built from the step's output.
    const scope: BreachScope = {
      role: str(out.role) ?? '',
      tenants: tenants.map((t) => ({
        tenant: str(t.tenant) ?? '',
        via: strs(t.via),
        ...(isObj(t.contacts) ? { contacts: { organization: organisation(t) ?? '', owners: objs(t.contacts.owners).map((o) => ({ email: str(o.email) ?? '', ...(str(o.name) ? { name: str(o.name)! } : {}) })) } } : {}),
      })),
    };
    const blob = new Blob([breachScopeCsv(scope)], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `breach-scope-${str(out.role) ?? 'role'}.csv`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <div className="step-output">
      <p className="small-text">
        <strong className={tenants.length ? 'error-text' : 'ok-text'}>{count(tenants.length)} tenants</strong> readable by <span className="mono">{str(out.role)}</span>
        {str(out.csv) && (
          <>
            {' '}
            · kept as <span className="mono">{str(out.csv)}</span>
          </>
        )}{' '}
        {tenants.length > 0 && (
          <button type="button" className="small" onClick={download}>
            Download CSV
          </button>
        )}
      </p>
      <VirtualTable
        label="Tenants in scope"
        rows={tenants}
        empty="The role could read no tenant."
        columns={[
          { header: 'Tenant', width: 'minmax(16em, 1.3fr)', cell: (t) => <span className="mono" title={str(t.tenant)}>{str(t.tenant)}</span> },
          { header: 'Via', width: 'minmax(10em, 1fr)', cell: (t) => <span className="mono small-text" title={strs(t.via).join(', ')}>{strs(t.via).join(', ')}</span> },
          { header: 'Organisation', width: 'minmax(10em, 1fr)', cell: (t) => organisation(t) ?? <span className="muted">–</span> },
          { header: 'Owner emails', width: 'minmax(14em, 2fr)', cell: (t) => <span className="mono small-text">{ownerEmails(t).join(', ') || '–'}</span> },
        ]}
      />
    </div>
  );
}

/** persistence_hunt: what is new since the security baseline. */
function Hunt({ out }: { out: Obj }) {
  const findings = objs(out.findings);
  return (
    <div className="step-output">
      <p className="small-text">
        {findings.length ? (
          <strong className="error-text">{count(findings.length)} {findings.length === 1 ? 'finding' : 'findings'} since the baseline of {when(out.baselineAt)}</strong>
        ) : (
          <span className="ok-text">Nothing new since the baseline of {when(out.baselineAt)}.</span>
        )}{' '}
        <span className="muted">Checked {when(out.checkedAt)}.</span>
      </p>
      {findings.length > 0 && (
        <VirtualTable
          label="Findings"
          rows={findings}
          empty=""
          columns={[
            { header: 'Kind', width: '16em', cell: (f) => <span className="badge badge-critical">{str(f.kind)}</span> },
            { header: 'Object', width: 'minmax(12em, 1fr)', cell: (f) => <span className="mono" title={str(f.object)}>{str(f.object)}</span> },
            { header: 'Tenant', width: '8em', cell: (f) => <span className="mono">{str(f.tenant) ?? '–'}</span> },
            { header: 'Detail', width: 'minmax(16em, 3fr)', cell: (f) => <span className="small-text" title={str(f.detail)}>{str(f.detail)}</span> },
          ]}
        />
      )}
      <Notes notes={strs(out.notes)} />
    </div>
  );
}

/** integrity_check: pg_amcheck's verdict, by relation and tenant, and the tables whose rows are damaged. */
function Integrity({ out }: { out: Obj }) {
  const tool = isObj(out.tool) ? out.tool : {};
  const relations = objs(out.relations);
  const findings = objs(out.findings);
  const damaged = strs(out.damagedTables);
  const tenants = strs(out.tenants);
  return (
    <div className="step-output">
      <p className="small-text">
        {out.ok === true ? <strong className="ok-text">No corruption found</strong> : <strong className="error-text">{count(findings.length)} {findings.length === 1 ? 'finding' : 'findings'} in {count(relations.length)} {relations.length === 1 ? 'relation' : 'relations'}</strong>} in <span className="mono">{str(out.database)}</span>
        {str(out.schema) ? (
          <>
            {' '}
            (schema <span className="mono">{str(out.schema)}</span>)
          </>
        ) : null}
        .
      </p>
      <Facts
        rows={[
          ['Tool', `${str(tool.name) ?? '?'} ${str(tool.version) ?? ''}${out.heapallindexed === true ? ' · heapallindexed' : ''}`],
          ['Server', str(out.serverVersion) ?? '–'],
          ['Data checksums', out.dataChecksums === 'on' ? 'on' : <span className="warn-text">off: the server cannot tell a damaged page itself</span>],
          ['Tenants affected', tenants.length ? <span className="mono">{tenants.join(', ')}</span> : 'none'],
          ...(out.damagedTables !== undefined ? ([['Damaged tables', damaged.length ? <span className="mono error-text">{damaged.join(', ')}</span> : 'none']] as [string, ReactNode][]) : []),
        ]}
      />
      <VirtualTable
        label="Findings by relation"
        rows={relations}
        empty=""
        columns={[
          { header: 'Relation', width: 'minmax(14em, 2fr)', cell: (r) => <span className="mono">{str(r.relation)}</span> },
          { header: 'Tenant', width: 'minmax(8em, 1fr)', cell: (r) => <span className="mono">{str(r.tenant) ?? '–'}</span> },
          { header: 'Findings', width: '6em', cell: (r) => cellCount(r.findings) },
        ]}
      />
      {findings.length > 0 && (
        <details className="small-text">
          <summary>Every finding ({count(findings.length)})</summary>
          <VirtualTable
            label="Findings"
            rows={findings}
            empty=""
            columns={[
              { header: 'Relation', width: 'minmax(12em, 1fr)', cell: (f) => <span className="mono">{str(f.relation)}</span> },
              { header: 'Kind', width: '5em', cell: (f) => str(f.kind) },
              { header: 'Block/offset', width: '7em', cell: (f) => (num(f.block) === undefined ? '–' : `${num(f.block)}/${num(f.offset) ?? '–'}`) },
              { header: 'Message', width: 'minmax(16em, 3fr)', cell: (f) => <span title={str(f.message)}>{str(f.message)}</span> },
            ]}
          />
        </details>
      )}
    </div>
  );
}

const cellCount = (v: unknown) => (num(v) === undefined ? '–' : count(num(v)!));

/** backup_integrity_sweep: each backup's verdict, the bucket's protection, and the backup a restore would take. */
function Sweep({ out }: { out: Obj }) {
  const backups = objs(out.backups);
  const bucket = isObj(out.bucket) ? out.bucket : undefined;
  const lock = bucket && isObj(bucket.objectLock) ? bucket.objectLock : undefined;
  const backup = isObj(out.backup) ? out.backup : undefined;
  const gap = num(out.rpoGapSec);
  const points = objs(out.restorePoints).filter((p) => str(p.tenant));
  const without = points.filter((p) => !isObj(p.point));
  return (
    <div className="step-output">
      <p className="small-text">
        <strong className="ok-text">{cellCount(out.intact)} intact</strong>, <strong className={(num(out.failed) ?? 0) > 0 ? 'error-text' : ''}>{cellCount(out.failed)} failed</strong> at <span className="mono">{str(out.destination)}</span> <span className="muted">(checked {when(out.checkedAt)})</span>
      </p>
      <Facts
        rows={[
          ...(bucket
            ? ([
                ['Bucket versioning', <span className={bucket.versioning === 'Enabled' ? 'ok-text' : 'warn-text'}>{str(bucket.versioning)}</span>],
                ['Object Lock', lock ? <span className={lock.enabled === true && lock.mode === 'COMPLIANCE' ? 'ok-text' : 'warn-text'}>{lock.enabled === true ? `on${str(lock.mode) ? ` (${str(lock.mode)}${num(lock.days) ? `, ${num(lock.days)} days` : num(lock.years) ? `, ${num(lock.years)} years` : ''})` : ''}` : 'off'}</span> : 'unknown'],
              ] as [string, ReactNode][])
            : []),
          ['Proposed backup', backup ? <span className="mono">{str(backup.id)} · {str(backup.kind)} · {when(backup.finishedAt)}</span> : <span className="muted">none (no intact full or all-tenants backup before the intrusion)</span>],
          ['RPO gap', gap === undefined ? '–' : `${duration(gap)} (intrusion − backup)`],
          ...(points.length
            ? ([['Tenants', <span className={without.length ? 'error-text' : 'ok-text'}>{count(points.length - without.length)} of {count(points.length)} have an intact backup before the intrusion{without.length ? `; none for ${without.map((p) => str(p.tenant)).join(', ')}` : ''}</span>]] as [string, ReactNode][])
            : []),
        ]}
      />
      <Notes notes={[...(str(out.note) ? [str(out.note)!] : []), ...(bucket ? strs(bucket.notes) : [])]} />
      <VirtualTable
        label="Backups swept"
        rows={backups}
        empty="No backup at the destination."
        columns={[
          { header: 'Backup', width: 'minmax(14em, 2fr)', cell: (b) => <span className="mono small-text" title={str(b.id) ?? str(b.name)}>{str(b.id) ?? str(b.name)}</span> },
          { header: 'Kind', width: '8em', cell: (b) => `${str(b.kind) ?? '?'}${str(b.tenant) ? ` ${str(b.tenant)}` : ''}` },
          { header: 'Finished', width: '12.5em', cell: (b) => when(b.finishedAt) },
          { header: 'Verdict', width: '11em', cell: (b) => <span className={b.verdict === 'intact' ? 'ok-text' : 'error-text'}>{str(b.verdict)}</span> },
          { header: 'Detail', width: 'minmax(10em, 2fr)', cell: (b) => <span className="small-text" title={str(b.detail)}>{str(b.detail) ?? ''}</span> },
        ]}
      />
    </div>
  );
}

/** lock_role: what was revoked (kept so unlock_role can grant it back) and the sessions ended. */
function Lock({ out }: { out: Obj }) {
  const revoked = objs(out.revoked);
  const terminated = objs(out.terminated);
  return (
    <div className="step-output">
      <Facts
        rows={[
          ['Role', <span className="mono">{str(out.role)}</span>],
          ['Locked at', when(out.lockedAt)],
          ['Login', out.loginRevoked === true ? 'revoked (NOLOGIN)' : 'was already NOLOGIN'],
          ['Grants revoked', cellCount(revoked.length)],
          ['Sessions ended', terminated.length ? <span className="mono">{terminated.map((t) => `pid ${num(t.pid)}${str(t.application) ? ` ${str(t.application)}` : ''}${str(t.client) ? ` from ${str(t.client)}` : ''}`).join(', ')}</span> : 'none'],
        ]}
      />
      <VirtualTable
        label="Grants revoked"
        rows={revoked}
        empty="The role held no grant in the tenants."
        columns={[
          { header: 'Tenant', width: 'minmax(16em, 1.3fr)', cell: (g) => <span className="mono" title={str(g.tenant)}>{str(g.tenant)}</span> },
          { header: 'Type', width: '6em', cell: (g) => str(g.objectType) },
          { header: 'Object', width: 'minmax(10em, 2fr)', cell: (g) => <span className="mono">{str(g.object)}</span> },
          { header: 'Privileges', width: 'minmax(8em, 1fr)', cell: (g) => <span className="small-text">{strs(g.privileges).join(', ')}{g.grantable === true ? ' (with grant option)' : ''}</span> },
          { header: 'Grantor', width: '9em', cell: (g) => <span className="mono">{str(g.grantor)}</span> },
        ]}
      />
      <Notes notes={strs(out.notes)} />
    </div>
  );
}

/** rotate_credentials: never a password; where the new one is and what the application must do. */
function Rotate({ out }: { out: Obj }) {
  const stored = isObj(out.storedIn) ? out.storedIn : undefined;
  return (
    <div className="step-output">
      <Facts
        rows={[
          ['Role', <span className="mono">{str(out.role)}</span>],
          ['Rotated at', when(out.rotatedAt)],
          ['Stored in', stored ? <span className="mono">{str(stored.secretId)} (version {str(stored.versionId)})</span> : <span className="warn-text">nowhere: nobody knows the new password</span>],
        ]}
      />
      {str(out.applicationMust) && <p className="warn-text small-text">{str(out.applicationMust)}</p>}
    </div>
  );
}

/** capture_evidence: where the files went (the files themselves are listed with their checksums below). */
function Captured({ out }: { out: Obj }) {
  return (
    <div className="step-output">
      <p className="small-text">
        {cellCount(out.files)} files captured into <span className="mono">{str(out.folder)}</span>.
      </p>
    </div>
  );
}

export const SECURITY_VIEWS: Partial<Record<DrAction, (p: { out: Obj }) => ReactNode>> = {
  breach_scope: BreachScopeView,
  persistence_hunt: Hunt,
  integrity_check: Integrity,
  backup_integrity_sweep: Sweep,
  lock_role: Lock,
  rotate_credentials: Rotate,
  capture_evidence: Captured,
};
