// The plain lists behind src/shared/vocabulary.ts, declared once and free of zod: the CLI registers its
// options from these without loading a schema library (issue 10: a CLI that starts fast).

/** What a backup holds: the whole database, one tenant schema, or every tenant schema (DESIGN §4). */
export const BACKUP_KINDS = ['full', 'tenant', 'all-tenants'] as const;

/** libpq's sslmode values the console accepts. */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** The LIKE pattern that picks tenant schemas when a connection names none. */
export const DEFAULT_TENANT_PATTERN = 'org_%';
