import { useState } from 'react';
import type { Violation } from '../../../../shared/domain/tenants';
import { useActiveProfile } from '../../api/app';
import { fixInput, useFixViolation, useVerifyAgain } from '../../api/tenants';
import { errorText } from '../../bridge';
import { DangerConfirm } from '../DangerConfirm';

/** Violations with their fix SQL, its lock, and Run fix (confirmed; production asks for the database name). */
export function ViolationList({ violations, collapsed = false }: { violations: Violation[]; collapsed?: boolean }) {
  const [confirming, setConfirming] = useState<Violation | null>(null);
  const verify = useVerifyAgain();
  const [outcome, setOutcome] = useState<Record<string, { ok: boolean; text: string }>>({});
  const key = (v: Violation) => `${v.tenant}|${v.kind}|${v.object ?? ''}`;
  return (
    <ul className="violations">
      {violations.map((v) => (
        <li key={key(v)} className={`violation violation-${v.severity}`}>
          <div>
            <span className={`badge badge-${v.severity}`}>{v.severity}</span> <strong>{v.kind}</strong> <span className="mono">{v.object}</span>
          </div>
          <div className="small-text">{v.detail}</div>
          {v.fixSql && (
            <details open={!collapsed}>
              <summary className="small-text fix-sql-toggle">fix SQL</summary>
              <pre className="mono fix-sql">{v.fixSql}</pre>
              {v.fixLock && <div className="small-text muted fix-lock">Lock: {v.fixLock}</div>}
              <div className="actions">
                <button className="small" onClick={() => void navigator.clipboard?.writeText(v.fixSql!)}>
                  Copy SQL
                </button>
                <button className="small danger" onClick={() => setConfirming(v)}>
                  Run fix…
                </button>
                {outcome[key(v)] && <span className={outcome[key(v)]!.ok ? 'ok-text small-text' : 'error-text small-text'}>{outcome[key(v)]!.text}</span>}
              </div>
            </details>
          )}
        </li>
      ))}
      {confirming && (
        <FixDialog
          violation={confirming}
          onFixed={verify}
          onClose={(r) => {
            if (r) setOutcome((o) => ({ ...o, [key(confirming)]: r }));
            setConfirming(null);
          }}
        />
      )}
    </ul>
  );
}

function FixDialog({ violation, onClose, onFixed }: { violation: Violation; onClose(r?: { ok: boolean; text: string }): void; onFixed(): void }) {
  const profile = useActiveProfile();
  const fix = useFixViolation();
  return (
    <div className="dialog-backdrop" role="dialog" aria-modal="true" aria-label="Run fix">
      <div className="dialog wide">
        <h2>Run this fix on {profile?.database}?</h2>
        <pre className="mono fix-sql">{violation.fixSql}</pre>
        {violation.fixLock && <p className="small-text fix-lock">Lock: {violation.fixLock}</p>}
        <p className="small-text muted">
          {/CONCURRENTLY/i.test(violation.fixSql ?? '')
            ? 'It runs on the admin connection statement by statement, outside a transaction (CONCURRENTLY cannot run inside one). It is recorded in the fix journal.'
            : 'It runs on the admin connection in one transaction: all of it or nothing. It is recorded in the fix journal.'}
        </p>
        <DangerConfirm
          label="Run fix"
          busyLabel="Running…"
          onCancel={() => onClose()}
          run={async (confirm) => {
            try {
              await fix.mutateAsync(fixInput(violation, confirm));
            } catch (err) {
              return errorText(err);
            }
            onClose({ ok: true, text: 'Applied. Verifying again…' });
            onFixed();
            return undefined;
          }}
        />
      </div>
    </div>
  );
}
