import { useState } from 'react';
import type { ConnectionTestResult, ProfileView } from '../../../../shared/domain/connections';
import { testConnection, useActivate, useAppInfo, useConnections } from '../../api/app';

export function testText(t: ConnectionTestResult): string {
  return `OK · ${t.latencyMs} ms · PostgreSQL ${t.serverVersion} · ${t.ssl ? 'SSL' : 'no SSL'}${t.credential ? ` · ${t.credential.detail}` : ''}`;
}

/** The saved connections: Use (tests first), Test, Edit, Delete; each row shows its last test. */
export function ConnectionsTable({ onEdit, onDelete }: { onEdit(p: ProfileView): void; onDelete(p: ProfileView): void }) {
  const connections = useConnections().data;
  const profiles = connections?.profiles ?? [];
  const activeId = connections?.activeId ?? null;
  const info = useAppInfo().data;
  const activate = useActivate();
  const [tests, setTests] = useState<Record<string, ConnectionTestResult | 'running'>>({});

  /** "Use" tests the connection first (activate does): its outcome shows in the row. */
  async function use(id: string) {
    setTests((t) => ({ ...t, [id]: 'running' }));
    const r = await activate(id);
    setTests((t) => ({ ...t, [id]: r }));
  }

  async function test(id: string) {
    setTests((t) => ({ ...t, [id]: 'running' }));
    const r = await testConnection(id);
    setTests((t) => ({ ...t, [id]: r }));
  }

  return (
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
                    {!p.isDemo && <button className="small" onClick={() => onEdit(p)}>Edit</button>}
                    {!p.isDemo && <button className="small danger" onClick={() => onDelete(p)}>Delete</button>}
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
  );
}
