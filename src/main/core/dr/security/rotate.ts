/**
 * rotate_credentials for a database role (issue 12 item 4, DR-REFERENCE D.3, E.3): a new random password,
 * never shown, never logged, never returned. The server is sent a SCRAM-SHA-256 verifier computed here (as
 * psql's \password does), so the password itself never reaches the server, its log or pg_stat_statements;
 * the statement is built server-side with format('%I', '%L'). When the connection's credential lives in a
 * Secrets Manager secret (of this very role), the new password is stored there with PutSecretValue inside
 * the same database transaction: if the secret cannot be written, the ALTER ROLE is rolled back and the old
 * password stays valid everywhere.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretRef } from '../../../../shared/domain/secrets';
import { awsError, scopeOf, secretsClient } from '../../secrets/aws';
import { parseSecretString } from '../../secrets/credentials';
import { OpsError } from '../../util/errors';
import { registerSecret } from '../../util/redact';
import { requireRole, type Session } from './common';

const SCRAM_ITERATIONS = 4096;

/** The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677; ASCII needs no SASLprep). */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** The secret's text with the password replaced, in the shape it had ({ url }, a bare URL, or RDS's). */
function withPassword(text: string, password: string): string {
  const trimmed = text.trim();
  const setUrl = (u: string) => {
    const url = new URL(u);
    url.password = encodeURIComponent(password);
    return url.toString();
  };
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return setUrl(trimmed);
  const doc = JSON.parse(trimmed) as Record<string, unknown>;
  if (typeof doc.url === 'string') return JSON.stringify({ ...doc, url: setUrl(doc.url) });
  return JSON.stringify({ ...doc, password });
}

export interface RotateOptions {
  role: string;
  /** The connection's Secrets Manager secret, when its credential comes from one. */
  secret?: SecretRef;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface RotateResult {
  role: string;
  rotatedAt: string;
  /** Where the new password is: the secret's new version, or nowhere (nobody knows it now). */
  storedIn?: { secretId: string; versionId: string };
  /** What the application has to do, for the step's text. */
  applicationMust: string;
}

export async function rotateRolePassword(db: Session, opts: RotateOptions): Promise<RotateResult> {
  await requireRole(db, opts.role);
  let secretText: string | undefined;
  if (opts.secret) {
    const client = secretsClient(scopeOf(opts.secret));
    let text: string | undefined;
    try {
      const v = await client.send(new GetSecretValueCommand({ SecretId: opts.secret.id }), opts.signal ? { abortSignal: opts.signal } : {});
      text = v.SecretString;
    } catch (err) {
      throw awsError(err, `Reading secret ${opts.secret.id}`, scopeOf(opts.secret));
    }
    if (text === undefined) throw new OpsError('secret_format', `Secret ${opts.secret.id} has no string value.`, 'Nothing was changed.');
    const { target } = parseSecretString(text);
    if (target.user !== opts.role) throw new OpsError('secret_mismatch', `Secret ${opts.secret.id} holds the credential of ${JSON.stringify(target.user)}, not of ${JSON.stringify(opts.role)}.`, 'Rotate that role with its own secret, or without a secret (the new password is then known to nobody); nothing was changed.');
    secretText = text;
  }
  const password = randomBytes(32).toString('base64url');
  registerSecret(password);
  const [{ sql }] = (await db.query<{ sql: string }>(`SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text) AS sql`, [opts.role, scramVerifier(password)])).rows as [{ sql: string }];
  let storedIn: RotateResult['storedIn'];
  await db.query('BEGIN');
  try {
    await db.query(sql);
    if (opts.secret && secretText !== undefined) {
      try {
        const out = await secretsClient(scopeOf(opts.secret)).send(
          new PutSecretValueCommand({ SecretId: opts.secret.id, SecretString: withPassword(secretText, password), ClientRequestToken: randomUUID() }),
          opts.signal ? { abortSignal: opts.signal } : {},
        );
        storedIn = { secretId: opts.secret.id, versionId: out.VersionId ?? 'unknown' };
      } catch (err) {
        throw awsError(err, `Storing the new password in secret ${opts.secret.id} (the password was not changed)`, scopeOf(opts.secret));
      }
    }
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  }
  return {
    role: opts.role,
    rotatedAt: (opts.now?.() ?? new Date()).toISOString(),
    ...(storedIn ? { storedIn } : {}),
    applicationMust: storedIn
      ? `The new password of ${opts.role} is the AWSCURRENT version of secret ${storedIn.secretId}. Applications that read the secret at connect time pick it up on their next connection; those that cached it (or a connection pooler's userlist) must be restarted or reloaded now. Sessions open with the old password stay open until they end: terminate them (lock_role) if they are the intruder's.`
      : `Nobody knows the new password of ${opts.role}: it was not stored anywhere. Set one through your secret store (then \\password ${opts.role} in psql, or ALTER ROLE) and redeploy the applications that use this role; until then they cannot log in as it.`,
  };
}
