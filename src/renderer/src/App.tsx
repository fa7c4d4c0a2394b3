import { useEffect } from 'react';
import { TaskTray } from './components/TaskTray';
import { ErrorState } from './components/States';
import { BackupsPage } from './pages/Backups';
import { DisasterRecoveryPage } from './pages/DisasterRecovery';
import { HealthPage } from './pages/Health';
import { OverviewPage } from './pages/Overview';
import { ReportsPage } from './pages/Reports';
import { SecretsPage } from './pages/Secrets';
import { SettingsPage } from './pages/Settings';
import { TenantsPage } from './pages/Tenants';
import { go, SECTIONS, useSection, type SectionId } from './route';
import { useActivate, useActiveProfile, useAppInfo, useConnections, useSwitchError } from './api/app';
import { followEvents } from './api/client';

function Page({ section }: { section: SectionId }) {
  switch (section) {
    case 'overview':
      return <OverviewPage />;
    case 'backups':
      return <BackupsPage />;
    case 'health':
      return <HealthPage />;
    case 'secrets':
      return <SecretsPage />;
    case 'settings':
      return <SettingsPage />;
    case 'tenants':
      return <TenantsPage />;
    case 'reports':
      return <ReportsPage />;
    case 'dr':
      return <DisasterRecoveryPage />;
  }
}

/** The shell: title bar (environment colour, connection switcher), sidebar, page, task tray. */
export function App() {
  const section = useSection();
  const appInfo = useAppInfo();
  const connections = useConnections();
  const info = appInfo.data;
  const profiles = connections.data?.profiles ?? [];
  const activeId = connections.data?.activeId ?? null;
  const error = appInfo.error ?? connections.error;
  const active = useActiveProfile();
  const activate = useActivate();
  const { error: switchError, set: setSwitchError } = useSwitchError();

  useEffect(() => followEvents(), []);

  // While the demo database starts (app.info polls itself), the connection list follows it up.
  const demoState = info?.demo.state;
  const refetchConnections = connections.refetch;
  useEffect(() => {
    void refetchConnections();
  }, [demoState, refetchConnections]);

  // Alt+1…8 jumps between sections.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const s = SECTIONS.find((x) => x.key === e.key);
      if (s) {
        e.preventDefault();
        go(s.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className={`shell env-${active?.environment ?? 'none'}`}>
      <header className="titlebar">
        <span className="brand">PodcastFlow Ops</span>
        {active && <span className={`env-pill env-${active.environment}`}>{active.environment}</span>}
        <label className="switcher">
          <span className="visually-hidden">Connection</span>
          <select aria-label="Connection" value={activeId ?? ''} onChange={(e) => void activate(e.target.value)} disabled={profiles.length === 0}>
            {profiles.length === 0 && <option value="">no connection</option>}
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} — {p.user}@{p.host}:{p.port}/{p.database}
              </option>
            ))}
          </select>
        </label>
        {switchError && (
          <span className="error-text small-text" role="alert" aria-label="Connection not switched" title={switchError.hint}>
            Not switched to {switchError.name}: {switchError.message}{' '}
            <button className="small" onClick={() => setSwitchError(undefined)}>
              Dismiss
            </button>
          </span>
        )}
        <span className="spacer" />
        {info?.demo.state === 'starting' && <span className="muted">demo database starting…</span>}
        {info?.demo.state === 'failed' && <span className="error-text">demo database failed: {info.demo.message}</span>}
        <span className="muted small-text">{info ? `${info.host} mode · v${info.version}` : ''}</span>
      </header>
      <nav className="sidebar" aria-label="Sections">
        {SECTIONS.map((s) => (
          <a key={s.id} href={`#/${s.id}`} aria-current={s.id === section ? 'page' : undefined} title={`Alt+${s.key}`}>
            {s.label}
          </a>
        ))}
      </nav>
      <main className="content">
        {error ? <ErrorState error={error} onRetry={() => void Promise.all([appInfo.refetch(), connections.refetch()])} /> : <Page section={section} />}
      </main>
      <TaskTray />
    </div>
  );
}
