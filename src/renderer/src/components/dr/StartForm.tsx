import { useMemo, useState } from 'react';
import type { Readiness, ScenarioSummary } from '../../../../shared/domain/dr';
import { useStartRun } from '../../api/dr';
import { useTenantResult, useVerifyRun } from '../../api/tenants';
import { goSub } from '../../route';
import { ErrorState } from '../States';
import { TenantPicker } from './TenantPicker';

/** A datetime-local value ("2026-12-01T17:05") for a time, in the browser's zone. */
function localValue(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** Scenarios that work on tenants, and the one that works on a role. */
const TENANT_SCENARIOS = new Set(['deletion', 'corruption', 'ransomware', 'breach']);

/** Open a run of one scenario: the tenants concerned, the role, the incident and detection times. */
export function StartForm({ scenario, connectionId, readiness, onClose }: { scenario: ScenarioSummary; connectionId: string; readiness: Readiness | undefined; onClose(): void }) {
  const start = useStartRun();
  const loaded = useTenantResult();
  const { result } = loaded;
  const listing = useVerifyRun(loaded.taskId);
  // The tenant list of the last verification, else the tenants the backup catalog knows.
  const tenants = useMemo(() => [...new Set([...(result?.tenantStats.map((t) => t.name) ?? []), ...(readiness?.tenants.flatMap((t) => (t.tenant ? [t.tenant] : [])) ?? [])])].sort(), [result, readiness]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [role, setRole] = useState('');
  const [incident, setIncident] = useState(() => localValue(Date.now()));
  const [detected, setDetected] = useState('');
  const incidentIso = iso(incident);
  const detectedIso = iso(detected);
  const badOrder = Boolean(incidentIso && detectedIso && detectedIso < incidentIso);
  const needsTenant = scenario.scenario === 'deletion';
  const submit = () =>
    start.mutate(
      { connectionId, scenario: scenario.scenario, ...(chosen.length ? { tenants: chosen } : {}), ...(role.trim() ? { role: role.trim() } : {}), ...(incidentIso ? { incidentAt: incidentIso } : {}), ...(detectedIso ? { detectedAt: detectedIso } : {}) },
      {
        onSuccess: (run) => {
          onClose();
          goSub('dr', `run/${run.id}`);
        },
      },
    );
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label={`Start ${scenario.title}`}>
      <form
        className="dialog dialog-wide dr-start"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2>Start: {scenario.title}</h2>
        <p className="small-text muted">
          Runbook v{scenario.version}, {scenario.steps} steps. The run keeps a journal; it can be left and resumed at any step.
        </p>
        {TENANT_SCENARIOS.has(scenario.scenario) && (
          <fieldset className="plain">
            <legend>
              Tenants concerned{needsTenant ? '' : ' (optional)'}
            </legend>
            <TenantPicker tenants={tenants} selected={chosen} onChange={setChosen} />
            {!result && (
              <span className="small-text muted">
                The list comes from the last tenant verification.{' '}
                <button type="button" className="small" onClick={listing.verify} disabled={listing.running}>
                  {listing.running ? 'Listing tenants…' : 'List the tenants'}
                </button>
              </span>
            )}
          </fieldset>
        )}
        <div className="form-row">
          <label>
            Role {scenario.scenario === 'breach' ? '(the compromised one)' : '(that did it, optional)'}
            <input value={role} onChange={(e) => setRole(e.target.value)} maxLength={63} placeholder="app_writer" />
          </label>
          <label>
            Incident time (T0)
            <input type="datetime-local" value={incident} onChange={(e) => setIncident(e.target.value)} required />
          </label>
          <label>
            Detected at (optional)
            <input type="datetime-local" value={detected} onChange={(e) => setDetected(e.target.value)} />
          </label>
        </div>
        {badOrder && <p className="error-text small-text">Detection is before the incident.</p>}
        {start.error && <ErrorState error={start.error} />}
        <div className="actions">
          <button type="submit" disabled={start.isPending || badOrder || (needsTenant && chosen.length === 0)}>
            {start.isPending ? 'Starting…' : 'Start run'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {needsTenant && chosen.length === 0 && <span className="muted small-text">Choose the tenant that lost data.</span>}
        </div>
      </form>
    </div>
  );
}
