/**
 * restore.sh: restores a backup on a bare machine with stock tools only (bash, sha256sum, openssl,
 * pg_restore; the aws CLI for S3). It holds hashes and names, never the key: the key file is an argument.
 */
import type { Manifest } from '../../../shared/domain/backups';

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function restoreScript(m: Omit<Manifest, 'hmac'>, sourceDir: string): string {
  const tenantHelp = m.kind === 'all-tenants' ? ' [TENANT]' : '';
  const only = m.kind === 'tenant' && m.tenant ? m.tenant : '';
  return `#!/usr/bin/env bash
# Restore of backup ${m.name}: ${m.kind}${m.tenant ? ` of tenant ${m.tenant}` : ''}, database ${m.database.name}, made ${m.finishedAt} by podcastflow-ops.
#
# Usage: ./${m.files.restoreScript} KEYFILE TARGET_DATABASE_URL${tenantHelp}
#   KEYFILE             the backup key file (first line = passphrase); key id ${m.encryption.keyId}
#   TARGET_DATABASE_URL an existing database to restore into, e.g. postgres://postgres@localhost/restored
${m.kind === 'all-tenants' ? '#   TENANT              restore only this tenant schema (default: every tenant in the backup)\n' : ''}#
# Needs: bash, sha256sum, openssl 1.1.1+, pg_restore ${Math.floor(m.database.serverVersionNum / 10_000)}+ (and the aws CLI when the backup is on S3).
# BACKUP_SOURCE overrides where the files are fetched from (a folder or s3://bucket/prefix);
# PG_RESTORE_OPTS adds pg_restore options (e.g. "--no-owner --no-privileges" on a machine without the roles).
set -euo pipefail

KEYFILE=\${1:?usage: $0 KEYFILE TARGET_DATABASE_URL${tenantHelp}}
TARGET=\${2:?usage: $0 KEYFILE TARGET_DATABASE_URL${tenantHelp}}
TENANT=\${3:-${q(only)}}
NAME=${q(m.name)}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "\${BACKUP_SOURCE:-}" ] && [ -f "$HERE/$NAME.dump.enc" ]; then BACKUP_SOURCE=$HERE; fi
SOURCE=\${BACKUP_SOURCE:-${q(sourceDir)}}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
umask 077

echo "fetching $NAME.dump.enc from $SOURCE" >&2
case "$SOURCE" in
  s3://*) aws s3 cp --only-show-errors "$SOURCE/$NAME.dump.enc" "$WORK/$NAME.dump.enc" ;;
  *) cp "$SOURCE/$NAME.dump.enc" "$WORK/$NAME.dump.enc" ;;
esac
cd "$WORK"

echo "checking the encrypted file's SHA-256" >&2
echo ${q(`${m.ciphertext.sha256}  ${m.name}.dump.enc`)} | sha256sum -c -

echo "decrypting (AES-256-CBC, PBKDF2-HMAC-SHA256, ${m.encryption.iterations} iterations)" >&2
openssl enc -d -aes-256-cbc -pbkdf2 -md sha256 -iter ${m.encryption.iterations} -pass file:"$KEYFILE" -in "$NAME.dump.enc" -out "$NAME.dump"

echo "checking the archive's SHA-256" >&2
echo ${q(`${m.plaintext.sha256}  ${m.name}.dump`)} | sha256sum -c -

echo "restoring into $TARGET\${TENANT:+ (schema $TENANT)}" >&2
LIST=()
if [ -n "$TENANT" ] && [ ${q(m.kind)} = all-tenants ]; then
  # pg_restore -n would leave out CREATE SCHEMA: select the tenant's entries of the archive's TOC.
  pg_restore -l "$NAME.dump" | grep -E "^[0-9]+; [0-9]+ [0-9]+ [A-Z][A-Z ]* (- (SCHEMA )?)?$TENANT " > "$NAME.list"
  LIST=(-L "$NAME.list")
fi
# shellcheck disable=SC2086
pg_restore --exit-on-error \${PG_RESTORE_OPTS:-} "\${LIST[@]}" -d "$TARGET" "$NAME.dump"
echo "restored $NAME" >&2
`;
}
