import { useState, type FormEvent } from 'react';
import type { ConnectionTestResult, ProfileInput, ProfileView } from '../../../shared/domain/connections';
import { DEFAULT_TENANT_PATTERN, SSL_MODES } from '../../../shared/vocabulary';
import { ErrorState } from '../components/States';
import { errorText, invoke } from '../bridge';
import { useAppStore } from '../stores/app';

type Draft = {
  id?: string;
  name: string;
  environment: ProfileView['environment'];
  mode: 'url' | 'fields' | 'secret';
  secretId: string;
  secretRegion: string;
  secretProfile: string;
  url: string;
  host: string;
  port: string;
  database: string;
  user: string;
  sslmode: ProfileView['sslmode'];
  tenantPattern: string;
  password: string;
  savePassword: boolean;
};

const EMPTY: Draft = { name: '', environment: 'development', mode: 'url', secretId: '', secretRegion: '', secretProfile: '', url: '', host: '', port: '5432', database: '', user: '', sslmode: 'prefer', tenantPattern: DEFAULT_TENANT_PATTERN, password: '', savePassword: false };

function draftOf(p: ProfileView): Draft {
  if (p.secret) return { ...EMPTY, id: p.id, name: p.name, environment: p.environment, mode: 'secret', secretId: p.secret.id, secretRegion: p.secret.region ?? '', secretProfile: p.secret.profile ?? '', sslmode: p.sslmode, tenantPattern: p.tenantPattern };
  return { ...EMPTY, id: p.id, name: p.name, environment: p.environment, mode: 'fields', host: p.host, port: String(p.port), database: p.database, user: p.user, sslmode: p.sslmode, tenantPattern: p.tenantPattern };
}

type TestResult = ConnectionTestResult;

function testText(t: TestResult): string {
  return `OK · ${t.latencyMs} ms · PostgreSQL ${t.serverVersion} · ${t.ssl ? 'SSL' : 'no SSL'}${t.credential ? ` · ${t.credential.detail}` : ''}`;
}

/** What the form would save (and what Test tests). */
function inputOf(draft: Draft): ProfileInput {
  const base = { ...(draft.id ? { id: draft.id } : {}), name: draft.name, environment: draft.environment, tenantPattern: draft.tenantPattern, savePassword: draft.savePassword, ...(draft.password && draft.mode !== 'secret' ? { password: draft.password } : {}) };
  if (draft.mode === 'secret') return { ...base, sslmode: draft.sslmode, secret: { id: draft.secretId.trim(), ...(draft.secretRegion.trim() ? { region: draft.secretRegion.trim() } : {}), ...(draft.secretProfile.trim() ? { profile: draft.secretProfile.trim() } : {}) } };
  if (draft.mode === 'url') return { ...base, url: draft.url };
  return { ...base, sslmode: draft.sslmode, host: draft.host, port: Number(draft.port) || 5432, ...(draft.database ? { database: draft.database } : {}), ...(draft.user ? { user: draft.user } : {}) };
}

/** A test holds for the values it tested: any edit to what would be saved makes it stale. */
function draftKey(draft: Draft): string {
  return JSON.stringify(inputOf(draft));
}

/** Connection profiles: add, edit, test, delete (production asks for the database name). */
export function SettingsPage() {
  const { profiles, activeId, info, save, remove, activate } = useAppStore();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<{ message: string; hint?: string }>();
  const [note, setNote] = useState<string>();
  const [tests, setTests] = useState<Record<string, TestResult | 'running'>>({});
  const [deleting, setDeleting] = useState<ProfileView | null>(null);
  const [confirmText, setConfirmText] = useState('');
  const [draftTest, setDraftTest] = useState<{ key: string; result: TestResult | 'running' }>();
  const tested = draft && draftTest?.key === draftKey(draft) ? draftTest.result : undefined;

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => (d ? { ...d, [k]: v } : d));

  /** Save the form; `activate` only after a test of exactly these values succeeded. */
  async function submit(e: FormEvent | undefined, activate: boolean) {
    e?.preventDefault();
    if (!draft) return;
    setError(undefined);
    try {
      const r = await save({ ...inputOf(draft), activate });
      setNote(r.note);
      setDraft(null);
      setDraftTest(undefined);
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function testDraft() {
    if (!draft) return;
    const key = draftKey(draft);
    setDraftTest({ key, result: 'running' });
    let result: TestResult;
    try {
      result = await invoke('connections.testDraft', inputOf(draft));
    } catch (err) {
      result = { ok: false, error: { code: 'error', ...errorText(err) } };
    }
    // Typing while the test ran makes it a test of other values: keep it only for what it tested.
    setDraftTest((t) => (t?.key === key ? { key, result } : t));
  }

  /** "Use" tests the connection first (the store's activate does): its outcome shows in the row. */
  async function use(id: string) {
    setTests((t) => ({ ...t, [id]: 'running' }));
    const r = await activate(id);
    setTests((t) => ({ ...t, [id]: r }));
  }

  async function test(id: string) {
    setTests((t) => ({ ...t, [id]: 'running' }));
    try {
      const r = await invoke('connections.test', { id });
      setTests((t) => ({ ...t, [id]: r }));
    } catch (err) {
      setTests((t) => ({ ...t, [id]: { ok: false, error: { code: 'error', ...errorText(err) } } }));
    }
  }

  async function confirmDelete() {
    if (!deleting) return;
    try {
      await remove(deleting.id, deleting.environment === 'production' ? confirmText : undefined);
      setDeleting(null);
      setConfirmText('');
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1>Settings</h1>
        <button onClick={() => { setDraft({ ...EMPTY }); setDraftTest(undefined); }}>Add connection</button>
      </div>
      {note && <div className="notice">{note}</div>}
      {error && <ErrorState error={error} />}
      <section className="card">
        <h2>Connections</h2>
        <table className="grid">
          <thead>
            <tr>
              <th>Name</th>
              <th>Environment</th>
              <th>Target</th>
              <th>Password from</th>
              <th>Tenants</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => {
              const t = tests[p.id];
              return (
                <tr key={p.id} aria-current={p.id === activeId ? 'true' : undefined}>
                  <td>
                    {p.name} {p.id === activeId && <span className="pill">active</span>}
                  </td>
                  <td>
                    <span className={`env-pill env-${p.environment}`}>{p.environment}</span>
                  </td>
                  <td className="mono">
                    {p.user}@{p.host}:{p.port}/{p.database} · sslmode={p.sslmode}
                  </td>
                  <td>
                    {p.passwordSource}
                    {p.credential && <div className="muted small-text">{p.credential.detail}</div>}
                    {p.credential?.warning && <div className="warn-text small-text">⚠ {p.credential.warning}</div>}
                  </td>
                  <td className="mono">{p.tenantPattern}</td>
                  <td>
                    {/* A flex <td> stops being a table cell (row tint and borders break): flex inside it. */}
                    <div className="actions">
                      {p.id !== activeId && (
                        <button className="small" onClick={() => void use(p.id)} disabled={t === 'running'} title="Tests the connection, then makes it the active one">
                          Use
                        </button>
                      )}
                      <button className="small" onClick={() => void test(p.id)} disabled={t === 'running'}>
                        {t === 'running' ? 'Testing…' : 'Test'}
                      </button>
                      {!p.isDemo && <button className="small" onClick={() => { setDraft(draftOf(p)); setDraftTest(undefined); }}>Edit</button>}
                      {!p.isDemo && <button className="small danger" onClick={() => setDeleting(p)}>Delete</button>}
                      {t && t !== 'running' && (
                        <div className={t.ok ? 'ok-text' : 'error-text'}>
                          {t.ok ? testText(t) : `${t.error?.message ?? 'failed'}${t.error?.hint ? ` — ${t.error.hint}` : ''}`}
                        </div>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
            {profiles.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No connections yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <p className="muted small-text">{info?.passwordStorage.reason}</p>
      </section>

      {draft && (
        <form className="card form" onSubmit={(e) => void submit(e, false)} aria-label="Connection">
          <h2>{draft.id ? 'Edit connection' : 'New connection'}</h2>
          <label>
            Name <input value={draft.name} onChange={(e) => set('name', e.target.value)} required autoFocus />
          </label>
          <label>
            Environment
            <select value={draft.environment} onChange={(e) => set('environment', e.target.value as Draft['environment'])}>
              <option value="development">development</option>
              <option value="staging">staging</option>
              <option value="production">production</option>
            </select>
          </label>
          <fieldset className="inline">
            <label>
              <input type="radio" checked={draft.mode === 'url'} onChange={() => set('mode', 'url')} /> URL
            </label>
            <label>
              <input type="radio" checked={draft.mode === 'fields'} onChange={() => set('mode', 'fields')} /> Fields
            </label>
            <label>
              <input type="radio" checked={draft.mode === 'secret'} onChange={() => set('mode', 'secret')} /> AWS Secrets Manager
            </label>
          </fieldset>
          {draft.mode === 'secret' ? (
            <div className="row">
              <label style={{ flex: 1 }}>
                Secret id (name or ARN; holds {'{ "url" }'} or the RDS shape) <input className="mono" value={draft.secretId} onChange={(e) => set('secretId', e.target.value)} placeholder="podcastflow/database" required />
              </label>
              <label>
                Region <input value={draft.secretRegion} onChange={(e) => set('secretRegion', e.target.value)} placeholder="default chain" />
              </label>
              <label>
                AWS profile <input value={draft.secretProfile} onChange={(e) => set('secretProfile', e.target.value)} placeholder="default chain" />
              </label>
            </div>
          ) : draft.mode === 'url' ? (
            <label>
              URL <input className="mono" placeholder="postgres://user@host:5432/db?sslmode=require" value={draft.url} onChange={(e) => set('url', e.target.value)} required />
            </label>
          ) : (
            <div className="row">
              <label>
                Host <input value={draft.host} onChange={(e) => set('host', e.target.value)} required />
              </label>
              <label>
                Port <input value={draft.port} onChange={(e) => set('port', e.target.value)} inputMode="numeric" />
              </label>
              <label>
                Database <input value={draft.database} onChange={(e) => set('database', e.target.value)} />
              </label>
              <label>
                User <input value={draft.user} onChange={(e) => set('user', e.target.value)} />
              </label>
            </div>
          )}
          <div className="row">
            {draft.mode === 'fields' && (
              <label>
                sslmode
                <select value={draft.sslmode} onChange={(e) => set('sslmode', e.target.value as Draft['sslmode'])}>
                  {SSL_MODES.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </label>
            )}
            <label>
              Tenant schemas (LIKE) <input className="mono" value={draft.tenantPattern} onChange={(e) => set('tenantPattern', e.target.value)} />
            </label>
          </div>
          {draft.mode !== 'secret' && (
            <div className="row">
              <label>
                Password <input type="password" autoComplete="off" value={draft.password} onChange={(e) => set('password', e.target.value)} placeholder="leave empty for ~/.pgpass or PGPASSWORD" />
              </label>
              <label className="checkbox">
                <input type="checkbox" checked={draft.savePassword} disabled={!info?.passwordStorage.canPersist} onChange={(e) => set('savePassword', e.target.checked)} /> Save password (encrypted by the OS)
              </label>
            </div>
          )}
          <div className="actions">
            <button type="button" onClick={() => void testDraft()} disabled={tested === 'running'}>
              {tested === 'running' ? 'Testing…' : 'Test'}
            </button>
            <button type="button" disabled={!(tested && tested !== 'running' && tested.ok)} onClick={() => void submit(undefined, true)} title="Enabled once a test of these exact settings succeeded">
              Save &amp; activate
            </button>
            <button type="submit">Save</button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
            {!tested && <span className="muted small-text">Test these settings before they can become the active connection.</span>}
          </div>
          {tested && tested !== 'running' && (
            <div className={tested.ok ? 'ok-text' : 'error-state'} role="status" aria-label="Test result">
              {tested.ok ? (
                testText(tested)
              ) : (
                <>
                  <strong>{tested.error?.message ?? 'The test failed.'}</strong>
                  {tested.error?.hint && <p>{tested.error.hint}</p>}
                </>
              )}
            </div>
          )}
        </form>
      )}

      {deleting && (
        <div className="dialog-backdrop">
          <div className="dialog" role="dialog" aria-modal="true" aria-label="Delete connection">
            <h2>Delete “{deleting.name}”?</h2>
            <p>The profile and any saved password are removed. The database itself is not touched.</p>
            {deleting.environment === 'production' && (
              <label>
                This is production: type the database name <code>{deleting.database}</code> to confirm
                <input value={confirmText} onChange={(e) => setConfirmText(e.target.value)} autoFocus />
              </label>
            )}
            <div className="actions">
              <button className="danger" disabled={deleting.environment === 'production' && confirmText !== deleting.database} onClick={() => void confirmDelete()}>
                Delete
              </button>
              <button onClick={() => setDeleting(null)}>Cancel</button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
