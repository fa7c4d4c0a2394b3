import type { ReactNode } from 'react';
import type { ProfileView } from '../../../shared/domain/connections';
import { useActiveProfile } from '../api/app';
import { errorText } from '../bridge';

/** An honest empty state: what this place will show, and why it shows nothing now. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** The one way a failure is shown: a BridgeError (code, message, hint), a task's error or any Error. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { message, hint } = errorText(error);
  return (
    <div className="error-state" role="alert">
      <strong>{message}</strong>
      {hint && <p>{hint}</p>}
      {onRetry && <button onClick={onRetry}>Try again</button>}
    </div>
  );
}

/** A page that needs the active connection: without one it says where to add it. */
export function RequireConnection({ title, children }: { title: string; children: (profile: ProfileView) => ReactNode }) {
  const profile = useActiveProfile();
  if (!profile)
    return (
      <div className="page">
        <h1>{title}</h1>
        <EmptyState title="No connection">
          <p>Add a connection under Settings.</p>
        </EmptyState>
      </div>
    );
  return <>{children(profile)}</>;
}
