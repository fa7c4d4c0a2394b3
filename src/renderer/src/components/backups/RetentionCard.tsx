import { useBackupActions } from '../../api/backups';
import { bytes } from '../../format';
import { useBackupsUi } from '../../stores/backups';

/** What retention would delete (a preview first), then delete it. */
export function RetentionCard() {
  const plan = useBackupsUi((s) => s.plan);
  const { previewRetention, applyRetention } = useBackupActions();
  return (
    <section className="card" aria-label="Retention">
      <div className="actions">
        <h2 style={{ margin: 0 }}>Retention</h2>
        <button className="small" onClick={() => void previewRetention()}>
          Preview
        </button>
      </div>
      {plan && (
        <>
          <p className="small-text">
            {plan.delete.length === 0 ? 'Nothing to delete under the current rule.' : `Would delete ${plan.delete.length} backups (${bytes(plan.deletedBytes)}); keeps ${plan.keep.length}.`}
          </p>
          {plan.delete.length > 0 && (
            <>
              <ul className="small-text mono">
                {plan.delete.slice(0, 20).map((d) => (
                  <li key={d.id}>{d.id}</li>
                ))}
                {plan.delete.length > 20 && <li>… and {plan.delete.length - 20} more</li>}
              </ul>
              <button className="danger" onClick={() => void applyRetention()}>
                Delete {plan.delete.length} backups
              </button>
            </>
          )}
        </>
      )}
    </section>
  );
}
