import { useEffect, useRef, useState } from 'react';
import type { DrRun, RunbookStep, RunStep } from '../../../../shared/domain/dr';
import { useActiveProfile } from '../../api/app';
import { useCancelRun, useNext, type NextArgs } from '../../api/dr';
import { useTask } from '../../api/tasks';
import { errorText } from '../../bridge';
import { duration } from '../../format';
import { DangerConfirm } from '../DangerConfirm';
import { ErrorState } from '../States';
import { TaskProgress } from '../TaskTray';
import { SecurityBaseline } from './Baseline';
import { STATUS } from './StepList';
import { Evidence } from './SecurityOutput';
import { StepOutput } from './StepOutput';

type Err = { message: string; hint?: string };

/** What the run already knows for an operator input: its tenant, role and incident time. */
function prefill(run: DrRun, input: Extract<NonNullable<RunbookStep['inputs']>[number], { from: 'operator' }>): string {
  if (input.type === 'tenant') return run.tenants?.[0] ?? '';
  if (input.type === 'tenants') return run.tenants?.join(',') ?? '';
  if (input.type === 'role') return run.role ?? '';
  if (input.type === 'timestamp' && input.name === 'incidentAt') return run.incidentAt;
  return '';
}

/** The controls of the step that waits on the operator: confirm a checklist, choose, run, retry or skip. */
function Controls({ run, step, rb, connectionId }: { run: DrRun; step: RunStep; rb: RunbookStep | undefined; connectionId: string }) {
  const next = useNext();
  const cancel = useCancelRun();
  const production = useActiveProfile()?.environment === 'production';
  const { task } = useTask(step.taskId);
  const operatorInputs = (rb?.inputs ?? []).flatMap((i) => (i.from === 'operator' ? [i] : []));
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(operatorInputs.map((i) => [i.name, prefill(run, i)])));
  const recommended = step.options?.find((o) => o.recommended)?.id ?? step.options?.[0]?.id ?? '';
  const [choice, setChoice] = useState(recommended);
  const [note, setNote] = useState('');
  const [skipping, setSkipping] = useState(false);
  const send = async (args: NextArgs, { pending = false } = {}): Promise<Err | undefined> => {
    const inputs = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
    try {
      await next.mutateAsync({ connectionId, runId: run.id, ...(note.trim() ? { note: note.trim() } : {}), ...(Object.keys(inputs).length && !args.skip ? { inputs } : {}), ...args });
      setNote('');
      setSkipping(false);
      return undefined;
    } catch (err) {
      const e = errorText(err);
      // Asked without a confirmation on purpose: the step now waits for it, with its preview.
      if (pending && e.code === 'confirmation_required') {
        next.reset();
        return undefined;
      }
      return e;
    }
  };
  const err = next.error ?? cancel.error;

  if (step.status === 'running') {
    return (
      <div className="dr-controls">
        {task ? <TaskProgress task={task} /> : <p className="muted small-text">Running…</p>}
        <div className="actions">
          <button className="danger" onClick={() => cancel.mutate({ connectionId, runId: run.id })} disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel step'}
          </button>
        </div>
        {cancel.error && <ErrorState error={cancel.error} />}
      </div>
    );
  }
  const retryable = step.status === 'failed' || step.status === 'cancelled' || step.interrupted;
  const waiting = step.status === 'notStarted' || step.status === 'pendingApproval' || retryable;
  if (!waiting) return null;

  const gated = Boolean(rb?.gates?.confirm || (rb?.gates?.typedDatabaseNameOnProduction && production));
  // The core checks the typed name on production; elsewhere a confirmed gate is simply "yes".
  const confirmOf = (typed: string | undefined) => (typed ? { confirm: typed } : rb?.gates?.confirm ? { confirm: 'yes' } : {});
  // A gated action is reviewed first: asked without the confirmation, the core records it as waiting and
  // shows what it would do (the merge's SQL); then it is approved.
  const review = gated && step.kind === 'action' && step.status !== 'pendingApproval';
  const verb = step.kind === 'checklist' ? 'Mark done' : step.kind === 'decision' ? 'Choose' : review ? 'Review…' : step.status === 'pendingApproval' ? 'Approve and run' : retryable ? 'Retry' : 'Run';
  const missing = operatorInputs.filter((i) => !i.optional && !values[i.name]?.trim());
  const primary = async (typed?: string): Promise<Err | undefined> => {
    if (missing.length) return { message: `Give ${missing.map((i) => i.prompt.toLowerCase()).join(', ')} first.` };
    if (review) return send({}, { pending: true });
    return send({ ...confirmOf(typed), ...(step.kind === 'decision' ? { choose: choice } : {}) });
  };
  const noteField = (
    <label className="dr-note">
      {skipping ? 'Why skip it (recorded in the journal)' : step.kind === 'checklist' ? 'Note (optional: what you found)' : 'Note (optional)'}
      <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
    </label>
  );

  if (skipping) {
    return (
      <form
        className="dr-controls"
        onSubmit={(e) => {
          e.preventDefault();
          void send({ skip: true });
        }}
      >
        {noteField}
        <div className="actions">
          <button type="submit" disabled={next.isPending}>
            Skip this step
          </button>
          <button type="button" onClick={() => setSkipping(false)}>
            Back
          </button>
        </div>
        {err && <ErrorState error={err} />}
      </form>
    );
  }

  return (
    <form
      className="dr-controls"
      onSubmit={(e) => {
        e.preventDefault();
        // Enter acts on an ungated step (or asks for a gated one's review): a gated one is confirmed with its own button.
        if ((!gated || review) && !next.isPending) void primary();
      }}
    >
      {step.kind === 'decision' && (
        <fieldset className="plain dr-options">
          <legend>Options</legend>
          {step.options?.map((o) => (
            <label key={o.id}>
              <input type="radio" name="choice" value={o.id} checked={choice === o.id} onChange={() => setChoice(o.id)} /> {o.title}
              {o.recommended && <span className="badge badge-info">recommended</span>}
            </label>
          ))}
        </fieldset>
      )}
      {operatorInputs.map((i) => (
        <label key={i.name} className="dr-input">
          {i.prompt}
          {i.optional ? ' (optional)' : ''}
          <input value={values[i.name] ?? ''} onChange={(e) => setValues({ ...values, [i.name]: e.target.value })} aria-label={i.name} className="mono" required={!i.optional} maxLength={2000} />
        </label>
      ))}
      {noteField}
      {gated && !review ? (
        <DangerConfirm label={verb} busyLabel="Working…" run={(typed) => primary(typed)} {...(step.required ? { onCancel: () => setNote(''), cancelLabel: 'Clear' } : { onCancel: () => setSkipping(true), cancelLabel: 'Skip…' })} />
      ) : (
        <div className="actions">
          <button type="submit" className="primary" disabled={next.isPending}>
            {next.isPending ? 'Working…' : verb}
          </button>
          {!step.required && (
            <button type="button" onClick={() => setSkipping(true)}>
              Skip…
            </button>
          )}
        </div>
      )}
      {err && (!gated || review) && <ErrorState error={err} />}
    </form>
  );
}

/** One step: why it is there, what to look for, its state, output and controls. Focused when it becomes current. */
export function StepPanel({ run, step, rb, connectionId }: { run: DrRun; step: RunStep; rb: RunbookStep | undefined; connectionId: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const isCurrent = run.currentStep === step.id;
  useEffect(() => {
    if (isCurrent) heading.current?.focus();
  }, [isCurrent, step.id]);
  const st = STATUS[step.status];
  return (
    <section className="card dr-panel" aria-label="Current step">
      <div className="toolbar">
        <h2 ref={heading} tabIndex={-1} className="dr-panel-title">
          {step.title}
        </h2>
        <span className={`status-word ${st.cls}`}>
          {st.icon} {st.label}
        </span>
        {step.interrupted && <span className="badge badge-warn">interrupted</span>}
        <span className="muted small-text">
          {step.kind}
          {step.action ? ` · ${step.action}` : ''} · expected {duration(step.expectedDurationSec)}
          {step.attempts > 0 ? ` · attempt ${step.attempts}` : ''}
        </span>
      </div>
      {rb ? (
        <dl className="dr-why">
          <dt>Why</dt>
          <dd>{rb.why}</dd>
          <dt>Look for</dt>
          <dd>{rb.lookFor}</dd>
        </dl>
      ) : (
        <p className="muted small-text">The texts of runbook v{run.runbookVersion} are not in this build.</p>
      )}
      {step.chosen && (
        <p>
          Chosen: <strong>{step.options?.find((o) => o.id === step.chosen)?.title ?? step.chosen}</strong>
        </p>
      )}
      {step.status === 'skipped' && step.skipReason && (
        <p className="small-text">
          <span className="muted">Skipped: </span>
          {step.skipReason}
        </p>
      )}
      {step.note && (
        <p className="small-text">
          <span className="muted">Note: </span>
          {step.note}
        </p>
      )}
      {step.error && <ErrorState error={step.error} />}
      {step.error?.code === 'no_baseline' && isCurrent && run.status === 'open' && <SecurityBaseline connectionId={connectionId} />}
      {step.status === 'pendingApproval' && step.preview !== undefined && (
        <div className="dr-preview" aria-label="What it will do">
          <h3 className="small-text muted">What it will do, once approved</h3>
          <StepOutput step={{ ...step, output: step.preview }} />
        </div>
      )}
      <StepOutput step={step} />
      {step.evidence && step.evidence.length > 0 && <Evidence files={step.evidence} />}
      {run.status === 'open' && isCurrent && <Controls key={`${step.id}:${step.attempts}`} run={run} step={step} rb={rb} connectionId={connectionId} />}
      {run.status === 'open' && !isCurrent && step.status === 'notStarted' && <p className="muted small-text">Not reached yet.</p>}
    </section>
  );
}
