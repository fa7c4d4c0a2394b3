import { useState } from 'react';
import type { DrRun } from '../../../../shared/domain/dr';
import { useCancelRun } from '../../api/dr';
import { runbookOf, runbookStep } from '../../runbooks';
import { DangerConfirm } from '../DangerConfirm';
import { ErrorState } from '../States';
import { errorText } from '../../bridge';
import { Clocks } from './Clocks';
import { Journal } from './Journal';
import { StepList } from './StepList';
import { StepPanel } from './StepPanel';

const RUN_STATUS: Record<DrRun['status'], string> = { open: 'open', succeeded: 'succeeded', failed: 'failed', cancelled: 'cancelled' };

/** One run: the clocks above, the steps on one side, the selected (by default the current) step, the journal below. */
export function Wizard({ run, connectionId }: { run: DrRun; connectionId: string }) {
  const [picked, setPicked] = useState<string>();
  const [cancelling, setCancelling] = useState(false);
  const cancel = useCancelRun();
  const selectedId = picked ?? run.currentStep ?? run.steps[run.steps.length - 1]?.id;
  const step = run.steps.find((s) => s.id === selectedId);
  const title = runbookOf(run.scenario)?.title ?? run.scenario;
  return (
    <div className="dr-run">
      <div className="toolbar">
        <h2 className="dr-run-title">
          {title}
          {run.drill && <span className="badge badge-info">drill</span>}
        </h2>
        <span className={`status-pill status-${run.status === 'succeeded' ? 'pass' : run.status === 'open' ? 'skipped' : 'fail'}`}>{RUN_STATUS[run.status]}</span>
        <span className="muted small-text mono">{run.id}</span>
        <span className="muted small-text">
          v{run.runbookVersion}
          {run.tenants?.length ? ` · ${run.tenants.join(', ')}` : ''}
          {run.role ? ` · role ${run.role}` : ''}
        </span>
        <span className="spacer" />
        {run.status === 'open' && !cancelling && (
          <button className="small danger" onClick={() => setCancelling(true)}>
            Cancel run…
          </button>
        )}
      </div>
      {cancelling && (
        <div className="card">
          <p>Cancel the whole run? Its journal is kept; a running step is stopped first. The run cannot be resumed after.</p>
          <DangerConfirm
            label="Cancel the run"
            busyLabel="Cancelling…"
            onCancel={() => setCancelling(false)}
            cancelLabel="Keep it open"
            run={async () => {
              try {
                await cancel.mutateAsync({ connectionId, runId: run.id, run: true });
                setCancelling(false);
                return undefined;
              } catch (err) {
                return errorText(err);
              }
            }}
          />
        </div>
      )}
      <Clocks run={run} />
      <div className="dr-wizard">
        <nav className="card dr-steps-card" aria-label="Run steps">
          <StepList steps={run.steps} current={run.currentStep} selected={selectedId} onSelect={(id) => setPicked(id === run.currentStep ? undefined : id)} />
        </nav>
        {step ? <StepPanel run={run} step={step} rb={runbookStep(run.scenario, run.runbookVersion, step.id)} connectionId={connectionId} /> : <ErrorState error={{ message: 'This run has no steps.' }} />}
      </div>
      {picked && picked !== run.currentStep && run.currentStep && (
        <p className="small-text">
          <button className="link" onClick={() => setPicked(undefined)}>
            Back to the current step
          </button>
        </p>
      )}
      <Journal run={run} />
    </div>
  );
}
