import { z } from 'zod';

/**
 * Every error code the app sends, what it means, and the HTTP status browser mode answers it with.
 * Declared once: OpsError, the wire shape and the server take their codes from here, so a new or
 * misspelt code is a compile error until it is listed. No code maps to 401 except `unauthorized`:
 * the renderer reads a 401 as "this browser session is not signed in".
 */
export const ERRORS = {
  // The call itself
  invalid_input: { status: 400, meaning: 'The input failed validation (the contract, a field, a cursor); nothing was changed.' },
  unsupported_media_type: { status: 415, meaning: 'The request body was not sent as application/json.' },
  payload_too_large: { status: 413, meaning: 'The request body is larger than the server accepts.' },
  unauthorized: { status: 401, meaning: 'The browser session is not signed in (no or wrong token).' },
  forbidden: { status: 403, meaning: 'The caller may not make this call (another window, another origin).' },
  misdirected_request: { status: 421, meaning: 'The request named a host this console does not answer to (DNS rebinding guard).' },
  unknown_method: { status: 404, meaning: 'No contract method by that name: client and app are out of step.' },
  not_found: { status: 404, meaning: 'The thing asked for (a connection, a violation, a restored copy, a route) does not exist.' },
  internal: { status: 500, meaning: 'A bug: the app produced an answer its own contract rejects.' },
  error: { status: 500, meaning: 'A failure with no better name; the message says what happened.' },
  core_unavailable: { status: 503, meaning: 'The core process is not running (starting, restarting or crashed).' },
  offline: { status: 503, meaning: 'The renderer could not reach the console server (browser mode); never sent by the server.' },
  cancelled: { status: 409, meaning: 'The work was cancelled (by the user, a deadline or statement_timeout).' },
  confirmation_required: { status: 409, meaning: 'A destructive action needs the typed confirmation first.' },

  // Settings and stored state
  invalid_setting: { status: 400, meaning: 'A setting (e.g. an environment variable) holds a value out of range.' },
  corrupt_state: { status: 500, meaning: 'A file of the app\'s own state is not valid JSON or not its expected shape.' },
  read_only: { status: 403, meaning: 'This object cannot be edited or deleted (the demo connection).' },
  vault_failed: { status: 502, meaning: 'The operating system keychain refused to store or read a password.' },
  vault_timeout: { status: 504, meaning: 'The operating system keychain did not answer in time.' },

  // Connections and the database
  invalid_url: { status: 400, meaning: 'Not a postgres:// URL, or one with an unknown sslmode.' },
  no_connection: { status: 409, meaning: 'No connection is configured yet.' },
  no_credential: { status: 502, meaning: 'Secrets Manager failed and there is no other password to fall back on.' },
  auth_failed: { status: 422, meaning: 'The server rejected the user or password (SQLSTATE 28P01).' },
  no_password: { status: 422, meaning: 'The server asks for a password and none was given (URL, PGPASSWORD, ~/.pgpass).' },
  auth_rejected: { status: 422, meaning: 'pg_hba.conf rejected the connection (SQLSTATE 28000).' },
  no_such_database: { status: 404, meaning: 'The connection\'s database does not exist.' },
  permission_denied: { status: 403, meaning: 'The connection role lacks a privilege this needs (SQLSTATE 42501).' },
  lock_timeout: { status: 409, meaning: 'Another session held a lock this needed (SQLSTATE 55P03).' },
  lock_table_too_small: { status: 409, meaning: "The server's lock table (max_locks_per_transaction) cannot hold the locks one pg_dump of this scope takes; the hint says what to set." },
  too_many_connections: { status: 503, meaning: 'The server is at max_connections (SQLSTATE 53300).' },
  unreachable: { status: 503, meaning: 'Nothing answered at the host and port (refused, unresolved, timed out, no route).' },
  connection_lost: { status: 503, meaning: 'The server or the network ended the session; nothing was recorded as done.' },
  network_timeout: { status: 504, meaning: 'An AWS endpoint did not answer within the network deadline.' },

  // Tenants and health
  no_tenants: { status: 404, meaning: 'No schema matches the connection\'s tenant pattern.' },
  no_such_tenant: { status: 404, meaning: 'The tenant schema named is not there (in the database or the backup).' },
  no_such_template: { status: 404, meaning: 'The template schema named for a verify does not exist.' },
  not_verified: { status: 409, meaning: 'A fix was asked for before any tenant verification ran.' },
  no_fix: { status: 422, meaning: 'This violation kind has no mechanical fix.' },
  fix_failed: { status: 422, meaning: 'A fix statement failed; the ones before it stay applied.' },
  pgstattuple_missing: { status: 422, meaning: 'An exact bloat figure needs the pgstattuple extension.' },

  // Secrets
  secret_format: { status: 422, meaning: 'A database secret is neither { url } nor the RDS shape, or holds an unknown sslmode.' },
  secret_not_found: { status: 404, meaning: 'Secrets Manager has no secret by that id in that region.' },
  aws_not_configured: { status: 422, meaning: 'No AWS credentials, profile or region found; Secrets Manager was not asked.' },
  aws_access_denied: { status: 403, meaning: 'The AWS identity lacks the Secrets Manager permission.' },
  aws_invalid_request: { status: 422, meaning: 'Secrets Manager refused the request for the secret\'s state.' },
  aws_unreachable: { status: 503, meaning: 'Secrets Manager could not be reached (network, credentials, region).' },
  aws_error: { status: 502, meaning: 'Secrets Manager failed in another way; the message has its reason.' },
  nothing_to_audit: { status: 400, meaning: 'A secrets audit was asked for with nothing selected.' },
  not_a_folder: { status: 400, meaning: 'The path to scan is not a folder.' },
  unknown_finding: { status: 404, meaning: 'The fingerprint to suppress is not a finding of a recent audit.' },

  // Backup keys
  key_required: { status: 422, meaning: 'No backup key is configured or given.' },
  key_not_found: { status: 404, meaning: 'The key file does not exist or cannot be read.' },
  key_file_permissions: { status: 422, meaning: 'The key file is readable by group or others.' },
  key_not_text: { status: 422, meaning: 'The passphrase holds a NUL byte or bytes that are not UTF-8.' },
  key_too_long: { status: 422, meaning: 'The passphrase is longer than openssl reads (1023 bytes).' },
  key_trailing_whitespace: { status: 422, meaning: 'The passphrase ends in white space, which stock openssl would keep.' },
  key_secret_empty: { status: 422, meaning: 'The key\'s Secrets Manager secret has no string value.' },
  key_secret_unavailable: { status: 502, meaning: 'The key\'s Secrets Manager secret could not be read.' },
  weak_key: { status: 422, meaning: 'The passphrase is shorter than 16 characters.' },
  wrong_key: { status: 422, meaning: 'The backup was encrypted with another key id than the key given.' },

  // Backups, restores and verification
  invalid_destination: { status: 400, meaning: 'The destination is not a folder path or a valid s3://bucket/prefix.' },
  destination_not_found: { status: 404, meaning: 'The destination folder does not exist.' },
  destination_not_a_folder: { status: 422, meaning: 'The destination path is a file, not a folder.' },
  destination_unwritable: { status: 422, meaning: 'This user may not create or write the destination.' },
  destination_full: { status: 507, meaning: 'The destination ran out of space; the partial file was removed.' },
  s3_failed: { status: 502, meaning: 'An S3 request failed; the message names the action and the reason.' },
  retention_unset: { status: 400, meaning: 'Retention was applied without a keep-last or keep-days rule.' },
  invalid_backup: { status: 400, meaning: 'The reference is not a backup manifest.' },
  backup_missing: { status: 404, meaning: 'A file of the backup does not exist at its location.' },
  manifest_invalid: { status: 422, meaning: 'The manifest is not valid JSON or not the manifest format.' },
  manifest_tampered: { status: 422, meaning: 'The manifest fails its HMAC check (altered, or another key).' },
  bad_format: { status: 422, meaning: 'The encrypted file lacks OpenSSL\'s Salted__ header.' },
  checksum_mismatch: { status: 422, meaning: 'The encrypted file or the decrypted archive differs from the manifest\'s SHA-256 or size.' },
  invalid_mode: { status: 400, meaning: 'A restore mode that this backup kind does not support.' },
  invalid_target: { status: 400, meaning: 'A schema or database name that PostgreSQL cannot take (empty, over 63 bytes).' },
  tenant_required: { status: 400, meaning: 'A backup of several tenants was restored without naming the tenant.' },
  target_exists: { status: 409, meaning: 'The schema or database to restore into already exists.' },
  restore_in_progress: { status: 409, meaning: 'Another restore is writing into the same target.' },
  scratch_failed: { status: 422, meaning: 'The scratch database for a restore or verify could not be created.' },
  not_a_restored_copy: { status: 422, meaning: 'The schema to drop is not a restored or replaced side copy.' },
  has_dependents: { status: 409, meaning: 'Objects outside the restored copy depend on it; it was not dropped.' },
  verify_failed: { status: 422, meaning: 'Verification found the backup not restorable.' },
  verify_inconclusive: { status: 422, meaning: 'Verification reached no verdict (no tool, a lost session, a cancel).' },

  // Disaster recovery
  invalid_runbook: { status: 500, meaning: 'A runbook file in resources/dr/ is not valid JSON or not the runbook format; the message names the file and field.' },
  no_restore_point: { status: 404, meaning: 'No backup that may hold the tenant finished before the incident time (or every one failed its verify).' },
  run_open: { status: 409, meaning: 'A DR run of that scenario is already open on that connection; the message names it.' },
  run_closed: { status: 409, meaning: 'The DR run is closed (succeeded, failed or cancelled); it takes no more steps.' },
  step_running: { status: 409, meaning: 'The DR run\'s current step is running; wait for it or cancel it.' },
  skip_refused: { status: 409, meaning: 'The DR step cannot be skipped now (it is running, done, or required to close the run).' },
  action_not_built: { status: 501, meaning: 'The DR step names an action the console cannot run yet; nothing was changed.' },
  drill_live_target: { status: 409, meaning: 'A drill action named a live object; drills act only on their scratch database.' },
  no_such_schema: { status: 404, meaning: 'A schema a DR action names (the live tenant or its restored copy) is not in the database.' },
  not_a_copy: { status: 422, meaning: 'The schema given as the restored copy is not a side schema the console made (<tenant>__restored_…).' },
  no_such_role: { status: 404, meaning: 'A role a DR action names does not exist on the server.' },
  cannot_freeze: { status: 422, meaning: 'A role named for a freeze cannot be frozen by revoking privileges (a superuser).' },
  freeze_failed: { status: 422, meaning: 'REVOKE could not take a write privilege (another grantor, dependent grants); the freeze was rolled back.' },
  cannot_terminate: { status: 422, meaning: 'The role\'s sessions were not ended: it is the console\'s own role or a superuser.' },
  fk_cycle: { status: 422, meaning: 'The tables to merge reference each other in a cycle of foreign keys that cannot be deferred.' },
  diff_failed: { status: 422, meaning: 'Rows of a table could not be compared (a table without a primary key holding a type without equality).' },
  plan_stale: { status: 409, meaning: 'The merge plan differs from what the schemas give now; it was not run.' },
  merge_failed: { status: 422, meaning: 'A merge statement failed; the merge was rolled back and nothing was inserted.' },
  no_baseline: { status: 409, meaning: 'No security baseline was recorded for this database (Record baseline on the DR page, or dr baseline, records one).' },
  not_locked: { status: 409, meaning: 'The role is not in the state its lock left it in (unlocked already, or changed since); nothing was undone.' },
  secret_mismatch: { status: 422, meaning: 'The connection\'s secret holds the credential of another role than the one to rotate; nothing was changed.' },
  evidence_exists: { status: 409, meaning: 'The evidence folder already holds files; evidence is never overwritten.' },
  amcheck_missing: { status: 422, meaning: 'The amcheck extension is not installed in the database, so no integrity check can run.' },

  // Server tools (pg_dump, pg_restore, openssl)
  tool_missing: { status: 422, meaning: 'A PostgreSQL client program is not on PATH.' },
  tool_too_old: { status: 422, meaning: 'A PostgreSQL client program is older than the server.' },
  tool_unknown: { status: 422, meaning: 'A tool\'s version could not be read.' },
  tool_failed: { status: 422, meaning: 'A tool could not start or exited with an error.' },

  // Reports
  invalid_report: { status: 422, meaning: 'A file or saved entry is not a report of this app (or of a newer model version).' },
  report_mismatch: { status: 422, meaning: 'The two reports to compare are of different connections, or not both health reports.' },
  // Point-in-time recovery (pgBackRest)
  pgbackrest_missing: { status: 422, meaning: 'pgbackrest is not installed on this machine (nor at PODCASTFLOW_OPS_PGBACKREST).' },
  pgbackrest_too_old: { status: 422, meaning: 'The installed pgbackrest is older than the console supports.' },
  pitr_not_configured: { status: 409, meaning: 'Point-in-time recovery is not set up for this connection (no pgBackRest stanza).' },
  pitr_repo_unreadable: { status: 422, meaning: 'The pgBackRest repository or stanza could not be read (path, bucket, permissions, stanza name).' },
  pitr_failed: { status: 422, meaning: 'pgbackrest or the scratch cluster of a point-in-time restore failed; the message says which step.' },
  pitr_target_unreachable: { status: 422, meaning: 'The recovery target lies outside what the backups and archived WAL can reach.' },
  pg_server_missing: { status: 422, meaning: 'No PostgreSQL server binaries of the needed major version for the scratch cluster.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]];
export const ErrorCode = z.enum(ERROR_CODES);

/** The HTTP status browser mode answers an error code with. */
export function httpStatus(code: ErrorCode): number {
  return ERRORS[code].status;
}

// What crosses a host boundary when a call fails: never a stack trace, never a secret.
export const WireError = z.object({
  code: ErrorCode,
  message: z.string(),
  hint: z.string().optional(),
});
export type WireError = z.infer<typeof WireError>;
