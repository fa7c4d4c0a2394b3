import { useState } from 'react';
import type { SecretSummary } from '../../../../shared/domain/secrets';
import { useInventory } from '../../api/secrets';
import { useSecretsUi } from '../../stores/secrets';
import { ErrorState } from '../States';
import { RotateDialog } from './RotateDialog';
import { SeverityPill } from './SeverityPill';

/** Secrets Manager inventory with its posture (AWS Config rule semantics), 100 a page. */
export function Inventory() {
  const { aws, set } = useSecretsUi();
  const setAws = (a: Partial<typeof aws>) => set({ aws: { ...aws, ...a } });
  const query = useInventory();
  const inventory = query.secrets;
  const inventoryCursor = query.hasNextPage;
  const inventoryLoaded = query.loaded;
  const inventoryLoading = query.isFetching;
  const inventoryError = query.error;
  const loadInventory = (more = false) => (more ? void query.fetchNextPage() : query.load());
  const [rotating, setRotating] = useState<SecretSummary | null>(null);
  const [note, setNote] = useState<string>();
  return (
    <section className="card" aria-labelledby="inv-h">
      <div className="page-head">
        <h2 id="inv-h">Secrets Manager inventory</h2>
        <form className="actions" onSubmit={(e) => { e.preventDefault(); void loadInventory(); }}>
          <input placeholder="region (default chain)" value={aws.region} onChange={(e) => setAws({ region: e.target.value })} aria-label="AWS region" size={18} />
          <input placeholder="profile (default chain)" value={aws.profile} onChange={(e) => setAws({ profile: e.target.value })} aria-label="AWS profile" size={18} />
          <button type="submit" disabled={inventoryLoading}>{inventoryLoaded ? 'Reload' : 'Load secrets'}</button>
        </form>
      </div>
      {note && <div className="notice">{note}</div>}
      {inventoryError ? (
        <ErrorState error={inventoryError} onRetry={() => void loadInventory()} />
      ) : !inventoryLoaded ? (
        <p className="muted">Lists every secret (ListSecrets) with rotation, age, last use and KMS key checks. Uses the AWS default credential chain; AWS_ENDPOINT_URL_SECRETS_MANAGER is honoured.</p>
      ) : inventory.length === 0 ? (
        <p className="muted">No secrets in this account and region.</p>
      ) : (
        <>
          <table className="grid">
            <thead>
              <tr><th>Secret</th><th>Rotation</th><th>Last rotated</th><th>Last accessed</th><th>Posture</th><th /></tr>
            </thead>
            <tbody>
              {inventory.map((s) => (
                <tr key={s.arn ?? s.name}>
                  <td className="mono">{s.name}</td>
                  <td>{s.rotationEnabled ? `every ${s.rotationDays ?? '?'} d` : <span className="warn-text">off</span>}</td>
                  <td>{s.lastRotated?.slice(0, 10) ?? '—'}</td>
                  <td>{s.lastAccessed?.slice(0, 10) ?? '—'}</td>
                  <td>
                    {s.posture.length === 0 ? <span className="ok-text">ok</span> : s.posture.map((p) => (
                      <div key={p.rule}><SeverityPill s={p.severity} /> {p.message}</div>
                    ))}
                  </td>
                  <td>{s.rotationEnabled && <button className="small" onClick={() => setRotating(s)}>Rotate now</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {inventoryCursor && <button onClick={() => void loadInventory(true)} disabled={inventoryLoading}>Load 100 more</button>}
        </>
      )}
      {rotating && <RotateDialog secret={rotating} onClose={(m) => { setRotating(null); setNote(m); }} />}
    </section>
  );
}
