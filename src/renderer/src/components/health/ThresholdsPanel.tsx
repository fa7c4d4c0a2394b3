import { useState } from 'react';
import type { ThresholdUnit, Thresholds } from '../../../../shared/domain/health';
import { fromHuman, thresholdName, toHuman, unitLabel } from '../../../../shared/threshold-units';
import { useSaveThresholds, useThresholds } from '../../api/health';
import { ErrorState } from '../States';
import { useEscape } from './SqlDialog';

/** Thresholds of the active connection, in human units; only values that differ from the defaults are stored. */
export function ThresholdsPanel({ onClose }: { onClose: () => void }) {
  useEscape(onClose);
  const loaded = useThresholds();
  const saveThresholds = useSaveThresholds();
  const values = loaded.data?.thresholds;
  const defaults = loaded.data?.defaults;
  const docs = loaded.data?.docs ?? {};
  const units: Record<string, ThresholdUnit> = loaded.data?.units ?? {};
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [shown, setShown] = useState<Thresholds>();
  const [invalid, setInvalid] = useState<{ message: string }>();
  const [saved, setSaved] = useState<string>();
  const unitOf = (k: string): ThresholdUnit => units[k] ?? 'count';
  if (values && values !== shown) {
    // Loaded or saved values: show them in the form.
    setShown(values);
    setDraft(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, toHuman(v, unitOf(k))])));
  }
  const error = invalid ?? saveThresholds.error ?? loaded.error;
  const store = async (changes: Partial<Thresholds>, message: string) => {
    setInvalid(undefined);
    await saveThresholds.mutateAsync({ thresholds: changes }).then(() => setSaved(message), () => undefined);
  };
  const save = async () => {
    const changes = Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, fromHuman(v, unitOf(k))]));
    const bad = Object.entries(changes).find(([, v]) => !Number.isFinite(v));
    if (bad) {
      setInvalid({ message: `${bad[0]} must be a number.` });
      return;
    }
    await store(changes as Partial<Thresholds>, 'Saved.');
  };
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div className="dialog dialog-wide" role="dialog" aria-modal="true" aria-label="Thresholds" onClick={(e) => e.stopPropagation()}>
        <div className="page-head">
          <h2>Thresholds for this connection</h2>
          <span className="spacer" />
          <button onClick={onClose}>Close</button>
        </div>
        <p className="muted small-text">Stored in the app data directory, per connection; only values that differ from the defaults are kept. The next run uses them. Shares are in %, sizes in MB (1 MB = 1,048,576 bytes), times in seconds.</p>
        {error && !values && <ErrorState error={error} />}
        {values && defaults && (
          <form className="thresholds" onSubmit={(e) => { e.preventDefault(); void save(); }}>
            {Object.keys(values).map((k) => (
              <label key={k} title={docs[k]}>
                <span>
                  {thresholdName(k)} <span className="mono muted">{k}</span>
                </span>
                <span className="threshold-input">
                  <input inputMode="decimal" aria-label={`${k} (${unitLabel(unitOf(k)) || 'count'})`} value={draft[k] ?? ''} onChange={(e) => { setSaved(undefined); setDraft({ ...draft, [k]: e.target.value }); }} />
                  <span className="muted">{unitLabel(unitOf(k))}</span>
                </span>
                <span className="muted small-text">{docs[k]} Default {toHuman(defaults[k as keyof Thresholds], unitOf(k))}{unitLabel(unitOf(k)) ? ` ${unitLabel(unitOf(k))}` : ''}.</span>
              </label>
            ))}
            <div className="actions">
              <button type="submit">Save thresholds</button>
              <button type="button" onClick={() => void store(defaults, 'Reset to the defaults and saved.')}>Reset to defaults</button>
              {/* By the buttons, not at the top of a long dialog that is scrolled to its end. */}
              {saved && <span className="ok-text" role="status">{saved}</span>}
            </div>
            {error && <div className="actions"><ErrorState error={error} /></div>}
          </form>
        )}
      </div>
    </div>
  );
}
