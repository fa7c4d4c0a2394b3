import { z } from 'zod';
import { BACKUP_KINDS, DEFAULT_TENANT_PATTERN, SSL_MODES } from './words';

export { BACKUP_KINDS, DEFAULT_TENANT_PATTERN, SSL_MODES };

// Words more than one domain uses, declared once. Domain files, the core, the CLI and the renderer import
// these instead of spelling the lists again (issue 10: the copies had drifted).

/** How bad a health finding or a tenant violation is. (The secrets audit has its own scale, AuditSeverity.) */
export const Severity = z.enum(['info', 'warn', 'critical']);
export type Severity = z.infer<typeof Severity>;
/** Higher is worse; for sorting. */
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warn: 1, critical: 2 };

/** What a backup holds (words.ts). */
export const BackupKind = z.enum(BACKUP_KINDS);
export type BackupKind = z.infer<typeof BackupKind>;
/** What the schedule may take: a single tenant is never scheduled. */
export const ScheduledBackupKind = BackupKind.extract(['full', 'all-tenants']);

/** libpq's sslmode values the console accepts (words.ts). */
export const SslMode = z.enum(SSL_MODES);
export type SslMode = z.infer<typeof SslMode>;

/** Where the password of a saved connection comes from. The value itself never leaves the main process. */
export const PasswordSource = z.enum(['none', 'stored', 'session', 'pgpass', 'environment', 'demo', 'secrets-manager']);
export type PasswordSource = z.infer<typeof PasswordSource>;
/** Where a live credential came from inside the core: a profile's source, or a password written in a URL given to the CLI (shown as session). */
export type CredentialOrigin = PasswordSource | 'url';
