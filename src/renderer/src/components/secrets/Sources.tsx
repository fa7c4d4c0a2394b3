import { useSources } from '../../api/secrets';
import { ErrorState } from '../States';

/** Credential source of every connection: where the password in use came from, and why. */
export function Sources() {
  const query = useSources();
  const sources = query.data?.sources ?? [];
  const sourcesError = query.error;
  const loadSources = () => query.refetch();
  return (
    <section className="card" aria-labelledby="sources-h">
      <div className="page-head">
        <h2 id="sources-h">Credential sources</h2>
        <button className="small" onClick={() => void loadSources()}>Refresh</button>
      </div>
      {sourcesError ? (
        <ErrorState error={sourcesError} onRetry={() => void loadSources()} />
      ) : sources.length === 0 ? (
        <p className="muted">No connections yet. Add one under Settings (a URL, fields, or a Secrets Manager secret id).</p>
      ) : (
        <table className="grid">
          <thead>
            <tr><th>Connection</th><th>Source</th><th>Where the credential came from</th></tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.connectionId}>
                <td>{s.name}</td>
                <td><span className="pill">{s.kind}</span></td>
                <td>
                  <span className="mono">{s.detail}</span>
                  {s.warning && <div className="warn-text">⚠ {s.warning}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
