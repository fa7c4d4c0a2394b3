import type { DeliveryResult } from '../../../../shared/domain/fleet';
import { useTestWebhooks, useWebhooks } from '../../api/fleet';
import { ErrorState } from '../States';

function outcome(r: DeliveryResult | undefined): string {
  if (!r) return '';
  if (r.ok) return `delivered (HTTP ${r.status ?? '?'}, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'})`;
  return `NOT delivered: ${r.error ?? 'failed'} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`;
}

/** Webhooks from <data dir>/fleet.json, shown by id and host, with a test button. */
export function NotificationsCard() {
  const hooks = useWebhooks();
  const test = useTestWebhooks();
  const list = hooks.data?.webhooks ?? [];
  const results = new Map((test.data?.results ?? []).map((r) => [r.webhook, r]));
  return (
    <section className="card" aria-labelledby="notifications-head">
      <h2 id="notifications-head">Notifications</h2>
      <p className="muted">
        Webhooks are set in <code>fleet.json</code> in the data directory (see the README); state changes of health, backups, verifications, RPO and DR runs are sent to them.
      </p>
      {hooks.error && <ErrorState error={hooks.error} />}
      {test.error && <ErrorState error={test.error} />}
      {list.length === 0 && !hooks.error ? (
        <p>No webhook is configured.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Webhook</th>
              <th>Kind</th>
              <th>Host</th>
              <th>Test</th>
            </tr>
          </thead>
          <tbody>
            {list.map((w) => (
              <tr key={w.id}>
                <td className="mono">{w.id}</td>
                <td>{w.kind === 'slack' ? 'Slack-compatible' : 'JSON'}</td>
                <td className="mono">{w.host}</td>
                <td>{outcome(results.get(w.id))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button disabled={list.length === 0 || test.isPending} onClick={() => test.mutate({})}>
        {test.isPending ? 'Sending…' : 'Send test notification'}
      </button>
    </section>
  );
}
