import type { ReactNode } from 'react';

/** An honest empty state: what this place will show, and why it shows nothing now. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: { message: string; hint?: string }; onRetry?: () => void }) {
  return (
    <div className="error-state" role="alert">
      <strong>{error.message}</strong>
      {error.hint && <p>{error.hint}</p>}
      {onRetry && <button onClick={onRetry}>Try again</button>}
    </div>
  );
}
