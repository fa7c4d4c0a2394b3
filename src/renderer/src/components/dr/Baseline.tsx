import { useState } from 'react';
import { useReadiness, useRecordBaseline } from '../../api/dr';
import { ago, count } from '../../format';
import { ErrorState } from '../States';

/**
 * The connection's security baseline (issue 12): its age, and recording it. Recording replaces the one
 * before, so it asks first: a baseline recorded after an intrusion hides the intruder's foothold from
 * every later persistence hunt.
 */
export function SecurityBaseline({ connectionId }: { connectionId: string }) {
  // Its age comes with the readiness (the page's own query, shared).
  const baseline = useReadiness(connectionId).readiness?.baseline;
  const record = useRecordBaseline();
  const [asking, setAsking] = useState(false);
  const recorded = record.data;
  const at = recorded?.recordedAt ?? baseline?.recordedAt;
  return (
    <div className="dr-baseline" aria-label="Security baseline">
      <p className="small-text">
        <strong>Security baseline: </strong>
        {at ? (
          <>
            recorded {ago(at)} ({new Date(at).toLocaleString()})
          </>
        ) : (
          <span className="warn-text">none recorded: a persistence hunt has nothing to compare against</span>
        )}
        {!asking && (
          <>
            {' '}
            <button type="button" className="small" onClick={() => setAsking(true)} disabled={record.isPending}>
              {at ? 'Record again…' : 'Record baseline…'}
            </button>
          </>
        )}
      </p>
      {recorded && (
        <p className="muted small-text">
          Of {recorded.database}: {count(recorded.roles)} roles ({recorded.superusers.length ? `superusers ${recorded.superusers.join(', ')}` : 'no superuser'}), {count(recorded.securityDefinerFunctions)} SECURITY DEFINER functions, {count(recorded.eventTriggers)} event triggers, {count(recorded.extensions.length)} extensions,{' '}
          {recorded.hbaRules === null ? 'pg_hba rules not readable' : `${count(recorded.hbaRules)} pg_hba rules`}, {count(recorded.tenantFunctions)} functions in tenant schemas outside the reference shape.
        </p>
      )}
      {asking && (
        <div className="dr-controls">
          <p className="small-text warn-text">Record it only while the database is known good: whatever is in it now (a planted role, a SECURITY DEFINER function) will never be named by a hunt.{at ? ' It replaces the baseline recorded before.' : ''}</p>
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={record.isPending}
              onClick={() => record.mutate({ connectionId }, { onSuccess: () => setAsking(false) })}
            >
              {record.isPending ? 'Recording…' : 'Record baseline now'}
            </button>
            <button type="button" onClick={() => setAsking(false)} disabled={record.isPending}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {record.error && <ErrorState error={record.error} />}
    </div>
  );
}
