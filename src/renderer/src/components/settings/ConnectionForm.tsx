import { useState, type FormEvent } from 'react';
import type { ConnectionTestResult, ProfileInput, ProfileView } from '../../../../shared/domain/connections';
import { testDraft as testDraftInput, useAppInfo, useSaveConnection } from '../../api/app';
import { testText } from './ConnectionsTable';
import { DEFAULT_TENANT_PATTERN, SSL_MODES } from '../../../../shared/vocabulary';

export type Draft = {
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

export const EMPTY: Draft = { name: '', environment: 'development', mode: 'url', secretId: '', secretRegion: '', secretProfile: '', url: '', host: '', port: '5432', database: '', user: '', sslmode: 'prefer', tenantPattern: DEFAULT_TENANT_PATTERN, password: '', savePassword: false };

export function draftOf(p: ProfileView): Draft {
  if (p.secret) return { ...EMPTY, id: p.id, name: p.name, environment: p.environment, mode: 'secret', secretId: p.secret.id, secretRegion: p.secret.region ?? '', secretProfile: p.secret.profile ?? '', sslmode: p.sslmode, tenantPattern: p.tenantPattern };
  return { ...EMPTY, id: p.id, name: p.name, environment: p.environment, mode: 'fields', host: p.host, port: String(p.port), database: p.database, user: p.user, sslmode: p.sslmode, tenantPattern: p.tenantPattern };
}

type TestResult = ConnectionTestResult;

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

/** Add or edit one connection: Test these exact values, then Save, or Save & activate once the test passed. */
export function ConnectionForm({ initial, onSaved, onCancel, onError }: { initial: Draft; onSaved(note?: string): void; onCancel(): void; onError(err: unknown): void }) {
  const info = useAppInfo().data;
  const save = useSaveConnection();
  const [draft, setDraft] = useState<Draft>(initial);
  const [draftTest, setDraftTest] = useState<{ key: string; result: TestResult | 'running' }>();
  const tested = draftTest?.key === draftKey(draft) ? draftTest.result : undefined;

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  /** Save the form; `activate` only after a test of exactly these values succeeded. */
  async function submit(e: FormEvent | undefined, activate: boolean) {
    e?.preventDefault();
    onError(undefined);
    try {
      const r = await save({ ...inputOf(draft), activate });
      onSaved(r.note);
    } catch (err) {
      onError(err);
    }
  }

  async function testDraft() {
    const key = draftKey(draft);
    setDraftTest({ key, result: 'running' });
    const result = await testDraftInput(inputOf(draft));
    // Typing while the test ran makes it a test of other values: keep it only for what it tested.
    setDraftTest((t) => (t?.key === key ? { key, result } : t));
  }

  return (
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
        <button type="button" onClick={onCancel}>
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
  );
}
