import { useState } from 'react';
import { REPORT_SECTIONS, type ReportSection, type ReportSettings, type SavedReport } from '../../../shared/domain/reports';
import { downloadReport, useConfigureReports, useDeleteReport, useDiffReports, useGenerateReport, useReportHtml, useReportSettings, useSavedReports } from '../api/reports';
import { useTask } from '../api/tasks';
import { EmptyState, ErrorState, RequireConnection } from '../components/States';
import { bytes, time } from '../format';

const SECTION_LABEL: Record<ReportSection, string> = { health: 'Health checks', tenants: 'Tenant isolation', backups: 'Backups and RPO', dr: 'DR readiness and drills', secrets: 'Secrets audit' };
const PERIODS = [
  { label: 'last 24 hours', hours: 24 },
  { label: 'last 7 days', hours: 168 },
  { label: 'last 30 days', hours: 720 },
];
const STATUS_CLASS: Record<string, string> = { ok: 'ok-text', warning: 'warn-text', critical: 'error-text', unknown: 'error-text' };

/** Choose sections and period, generate as a task (progress, cancel). */
function Generate({ onError }: { onError: (e: unknown) => void }) {
  const [sections, setSections] = useState<ReportSection[]>([...REPORT_SECTIONS]);
  const [hours, setHours] = useState(168);
  const [taskId, setTaskId] = useState<string>();
  const generate = useGenerateReport();
  const { task, running, progress, error, cancel } = useTask(taskId);
  const toggle = (s: ReportSection) => setSections((list) => (list.includes(s) ? list.filter((x) => x !== s) : REPORT_SECTIONS.filter((x) => x === s || list.includes(x))));
  const start = () => {
    onError(undefined);
    generate.mutateAsync({ sections, since: new Date(Date.now() - hours * 3_600_000).toISOString() }).then((r) => setTaskId(r.taskId), onError);
  };
  return (
    <section className="card" aria-label="Generate a report">
      <h2>Generate a report</h2>
      <fieldset className="inline report-sections">
        <legend className="small-text muted">Sections</legend>
        {REPORT_SECTIONS.map((s) => (
          <label key={s}>
            <input type="checkbox" checked={sections.includes(s)} onChange={() => toggle(s)} /> {SECTION_LABEL[s]}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <label>
          Period (trends, drills){' '}
          <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {PERIODS.map((p) => (
              <option key={p.hours} value={p.hours}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <button onClick={start} disabled={running || !sections.length || generate.isPending}>
          Generate
        </button>
        {running && (
          <>
            <span className="small-text" role="status">
              {task?.log.at(-1) ?? 'Starting…'} {progress?.total ? `(${progress.done} of ${progress.total} ${progress.unit})` : ''}
            </span>
            <progress max={progress?.total ?? 1} value={progress?.done ?? 0} aria-label="Report progress" />
            <button className="small" onClick={() => void cancel()}>
              Cancel
            </button>
          </>
        )}
        {task?.status === 'succeeded' && <span className="ok-text small-text">Saved: see the list below.</span>}
        {task?.status === 'cancelled' && <span className="muted small-text">Cancelled: nothing was saved.</span>}
      </div>
      {task?.status === 'failed' && error && <ErrorState error={error} />}
    </section>
  );
}

function Preview({ entry, onClose }: { entry: SavedReport; onClose: () => void }) {
  const html = useReportHtml(entry.id);
  return (
    <section className="card" aria-label="Report preview">
      <div className="page-head">
        <h2>
          Preview: {entry.kind} report of {time(entry.generatedAt)}
        </h2>
        <button className="small" onClick={onClose}>
          Close
        </button>
      </div>
      {html.error && <ErrorState error={html.error} />}
      {/* sandbox="" : the report runs no script, submits nothing and reaches nothing; it only shows. */}
      {html.data && <iframe className="report-preview" title="Report preview" sandbox="" srcDoc={html.data.html} />}
    </section>
  );
}

/** The saved reports: preview, download (JSON, HTML, PDF A4/Letter), delete; pick two to compare. */
function SavedList({ onError }: { onError: (e: unknown) => void }) {
  const list = useSavedReports();
  const remove = useDeleteReport();
  const diff = useDiffReports();
  const [picked, setPicked] = useState<string[]>([]);
  const [preview, setPreview] = useState<SavedReport>();
  const reports = list.data?.reports ?? [];
  const pick = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  const compare = () => {
    onError(undefined);
    diff.mutateAsync({ from: picked[0]!, to: picked[1]! }).then((d) => {
      setPicked([]);
      setPreview(d);
    }, onError);
  };
  const download = (id: string, format: 'json' | 'html' | 'pdf', paper?: 'A4' | 'Letter') => void downloadReport(id, format, paper).catch(onError);
  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <>
      <section className="card" aria-label="Saved reports">
        <div className="page-head">
          <h2>Saved reports</h2>
          <button disabled={picked.length !== 2 || diff.isPending} onClick={compare} title="Tick two health reports of this connection">
            Compare the two ticked
          </button>
        </div>
        {!reports.length ? (
          <EmptyState title="No saved report yet">
            <p>Generate one above, or turn on a schedule below.</p>
          </EmptyState>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>Compare</th>
                <th>Generated</th>
                <th>Kind</th>
                <th>Status</th>
                <th>Sections</th>
                <th>Size</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {reports.map((r) => (
                <tr key={r.id}>
                  <td>
                    <input type="checkbox" aria-label={`Compare ${r.id}`} disabled={r.kind !== 'health'} checked={picked.includes(r.id)} onChange={() => pick(r.id)} />
                  </td>
                  <td>
                    {time(r.generatedAt)}
                    {r.scheduled ? <span className="muted small-text"> (scheduled)</span> : null}
                  </td>
                  <td>{r.kind}</td>
                  <td className={STATUS_CLASS[r.status]}>{r.status}</td>
                  <td className="small-text">{r.sections.join(', ')}</td>
                  <td>{bytes(r.bytes)}</td>
                  <td className="actions">
                    <button className="small" onClick={() => setPreview(r)}>
                      Preview
                    </button>
                    <button className="small" onClick={() => download(r.id, 'html')}>
                      HTML
                    </button>
                    <button className="small" onClick={() => download(r.id, 'pdf', 'A4')}>
                      PDF A4
                    </button>
                    <button className="small" onClick={() => download(r.id, 'pdf', 'Letter')}>
                      PDF Letter
                    </button>
                    <button className="small" onClick={() => download(r.id, 'json')}>
                      JSON
                    </button>
                    <button
                      className="small danger"
                      onClick={() => {
                        if (window.confirm('Delete this saved report?')) remove.mutateAsync({ id: r.id }).then(() => preview?.id === r.id && setPreview(undefined), onError);
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {preview && <Preview key={preview.id} entry={preview} onClose={() => setPreview(undefined)} />}
    </>
  );
}

/** Daily / weekly while the app runs, and the cron line for when it does not. Retention of saved reports. */
function Schedule({ onError }: { onError: (e: unknown) => void }) {
  const q = useReportSettings();
  const configure = useConfigureReports();
  const [form, setForm] = useState<ReportSettings>();
  const [copied, setCopied] = useState(false);
  if (!q.data) return q.error ? <ErrorState error={q.error} /> : null;
  const { settings, cronLine } = q.data;
  const s = form ?? settings;
  const set = (schedule: Partial<ReportSettings['schedule']>) => setForm({ ...s, schedule: { ...s.schedule, ...schedule } });
  const save = () => {
    onError(undefined);
    configure.mutateAsync({ settings: { ...s, schedule: { ...s.schedule, ...(s.schedule.destination?.trim() ? { destination: s.schedule.destination.trim() } : { destination: undefined }) } } }).then(() => setForm(undefined), onError);
  };
  return (
    <section className="card" aria-label="Report schedule">
      <h2>Schedule and retention</h2>
      <div className="form">
        <div className="row">
          <label className="checkbox">
            <input type="checkbox" checked={s.schedule.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Scheduled while the app runs
          </label>
          <label>
            Every
            <select value={s.schedule.every} onChange={(e) => set({ every: e.target.value as 'daily' | 'weekly' })}>
              <option value="daily">day</option>
              <option value="weekly">week (Mondays)</option>
            </select>
          </label>
          <label>
            At (UTC hour)
            <input type="number" min={0} max={23} value={s.schedule.hour} onChange={(e) => set({ hour: Number(e.target.value) })} />
          </label>
          <label>
            Format written out
            <select value={s.schedule.format} onChange={(e) => set({ format: e.target.value as 'json' | 'html' | 'pdf' })}>
              <option value="html">HTML</option>
              <option value="pdf">PDF</option>
              <option value="json">JSON</option>
            </select>
          </label>
        </div>
        <label>
          Also write it to (a folder, file:///path or s3://bucket/prefix; empty: only saved here)
          <input value={s.schedule.destination ?? ''} onChange={(e) => set({ destination: e.target.value })} placeholder="s3://ops-reports/podcastflow" />
        </label>
        <div className="row">
          <label>
            Keep the last
            <input type="number" min={1} max={1000} value={s.retention.keepLast} onChange={(e) => setForm({ ...s, retention: { ...s.retention, keepLast: Number(e.target.value) } })} />
          </label>
          <label>
            Keep days
            <input type="number" min={1} max={3650} value={s.retention.keepDays} onChange={(e) => setForm({ ...s, retention: { ...s.retention, keepDays: Number(e.target.value) } })} />
          </label>
        </div>
        <div className="actions">
          <button onClick={save} disabled={!form || configure.isPending}>
            Save
          </button>
        </div>
      </div>
      <p className="small-text muted">When the app is closed, the same from cron (put CRON_TZ=UTC above it; REPORT_FOLDER is where the files go):</p>
      <div className="actions">
        <code className="cron">{cronLine}</code>
        <button className="small" onClick={() => void navigator.clipboard?.writeText(cronLine).then(() => setCopied(true))}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </section>
  );
}

/** Reports: generate, the saved list with preview, downloads, diffs, and schedules. */
export function ReportsPage() {
  const [error, setError] = useState<unknown>();
  return (
    <RequireConnection title="Reports">
      {() => (
        <div className="page">
          <div className="page-head">
            <h1>Reports</h1>
          </div>
          {error ? <ErrorState error={error} /> : null}
          <Generate onError={setError} />
          <SavedList onError={setError} />
          <Schedule onError={setError} />
        </div>
      )}
    </RequireConnection>
  );
}
