import { useEffect } from 'react';
import type { CheckId } from '../../../../shared/domain/health';
import { useCheckSql } from '../../api/health';
import { ErrorState } from '../States';

/** Escape closes a dialog. */
export function useEscape(onClose: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
}

/** The SQL files a check runs, as they are on disk. */
export function SqlDialog({ checkId, onClose }: { checkId: CheckId; onClose: () => void }) {
  useEscape(onClose);
  const { data, error } = useCheckSql(checkId);
  const files = data?.files;
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div className="dialog dialog-wide" role="dialog" aria-modal="true" aria-label={`SQL of ${checkId}`} onClick={(e) => e.stopPropagation()}>
        <div className="page-head">
          <h2>SQL of {checkId}</h2>
          <span className="spacer" />
          <button onClick={onClose}>Close</button>
        </div>
        {error && <ErrorState error={error} />}
        {files?.length === 0 && <p className="muted">This check runs no SQL of its own.</p>}
        {files?.map((f) => (
          <div key={f.name}>
            <div className="muted small-text mono">{f.name}</div>
            <pre className="mono sql">{f.sql}</pre>
          </div>
        ))}
      </div>
    </div>
  );
}
