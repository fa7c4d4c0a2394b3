import type { TenantStats, Violation } from '../../../../shared/domain/tenants';
import { bytes, count } from '../../format';
import { BackupTenantButton, type BackupError } from './BackupTenantButton';
import { ViolationList } from './ViolationList';

/** One tenant: its facts, its violations with their fixes, and a backup button. */
export function TenantDetail({ tenant, stats, violations, onBackupError }: { tenant: string; stats: TenantStats | undefined; violations: Violation[]; onBackupError(e: BackupError | undefined): void }) {
  return (
    <div data-testid="tenant-detail">
      <div className="toolbar">
        <h2 className="mono detail-name">{tenant}</h2>
        <BackupTenantButton schema={tenant} onError={onBackupError} />
      </div>
      {stats && (
        <p className="muted small-text">
          owner {stats.owner} · {stats.tables} tables · {bytes(stats.sizeBytes)} · ~{count(stats.estimatedRows)} rows
        </p>
      )}
      {violations.length === 0 ? <p className="ok-text">No violations: this tenant matches the reference shape and nothing crosses its boundary.</p> : <ViolationList violations={violations} />}
    </div>
  );
}
