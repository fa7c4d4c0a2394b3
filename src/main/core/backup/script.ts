/**
 * restore.sh: restores a backup on a bare machine with stock tools only (bash, sha256sum, openssl,
 * pg_restore, awk; the aws CLI for S3). It holds hashes and names, never the key: the key file is an argument.
 *
 * Inert by construction: every value from the backup (tenant, database, folder names can hold quotes,
 * `$( )` and newlines) is a shellQuote'd word, in comments too (shellComment keeps a line break inside the
 * comment), and the tenant is matched against the archive's table of contents as a fixed string.
 */
import type { Manifest } from '../../../shared/domain/backups';
import { shellComment, shellQuote as q } from '../util/shell';

export function restoreScript(m: Omit<Manifest, 'hmac'>, sourceDir: string): string {
  const tenantArg = m.kind === 'all-tenants' ? ' [TENANT]' : '';
  const header = shellComment(
    [
      `Restore of backup ${q(m.name)}: ${m.kind}${m.tenant ? ` of tenant ${q(m.tenant)}` : ''}, database ${q(m.database.name)}, made ${m.finishedAt} by podcastflow-ops.`,
      '',
      `Usage: bash ${q(m.files.restoreScript)} KEYFILE TARGET_DATABASE_URL${tenantArg}   (or ./${q(m.files.restoreScript)} where it is executable)`,
      `  KEYFILE             the backup key file (first line = passphrase); key id ${q(m.encryption.keyId)}`,
      '  TARGET_DATABASE_URL an existing database to restore into, e.g. postgres://postgres@localhost/restored',
      ...(m.kind === 'all-tenants' ? ['  TENANT              restore only this tenant schema (default: every tenant in the backup)'] : []),
      '',
      `Needs: bash, sha256sum, openssl 1.1.1+, awk, pg_restore ${Math.floor(m.database.serverVersionNum / 10_000)}+ (and the aws CLI when the backup is on S3).`,
      'BACKUP_SOURCE overrides where the files are fetched from (a folder or s3://bucket/prefix);',
      'PG_RESTORE_OPTS adds pg_restore options (e.g. "--no-owner --no-privileges" on a machine without the roles).',
    ].join('\n'),
  );
  return `#!/usr/bin/env bash
${header}
set -euo pipefail

NAME=${q(m.name)}
KIND=${q(m.kind)}
DEFAULT_TENANT=${q(m.kind === 'tenant' && m.tenant ? m.tenant : '')}
DEFAULT_SOURCE=${q(sourceDir)}
ITERATIONS=${q(String(m.encryption.iterations))}
DUMP_SHA256=${q(m.ciphertext.sha256)}
ARCHIVE_SHA256=${q(m.plaintext.sha256)}

if [ $# -lt 2 ]; then echo "usage: bash $0 KEYFILE TARGET_DATABASE_URL${tenantArg}" >&2; exit 64; fi
KEYFILE=$1
TARGET=$2
TENANT=\${3:-$DEFAULT_TENANT}
# Paths are the caller's: resolve them before this script changes directory.
case "$KEYFILE" in /*) ;; *) KEYFILE="$PWD/$KEYFILE" ;; esac
if [ ! -r "$KEYFILE" ]; then echo "cannot read the key file $KEYFILE" >&2; exit 66; fi
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "\${BACKUP_SOURCE:-}" ] && [ -f "$HERE/$NAME.dump.enc" ]; then BACKUP_SOURCE=$HERE; fi
SOURCE=\${BACKUP_SOURCE:-$DEFAULT_SOURCE}
case "$SOURCE" in s3://* | /*) ;; *) SOURCE="$PWD/$SOURCE" ;; esac
# The target as shown in messages: without a password (user:password@ or password=).
SHOWN_TARGET=$(printf '%s\\n' "$TARGET" | sed -E 's#^([A-Za-z]+://[^/@:]*):[^/]*@#\\1:***@#; s#(^|[?& ])password=[^& ]*#\\1password=***#')

umask 077
WORK=$(mktemp -d)
# The decrypted archive never outlives the script, whether it ends, fails or is interrupted.
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP

echo "fetching $NAME.dump.enc from $SOURCE" >&2
case "$SOURCE" in
  s3://*) aws s3 cp --only-show-errors "$SOURCE/$NAME.dump.enc" "$WORK/$NAME.dump.enc" ;;
  *) cp "$SOURCE/$NAME.dump.enc" "$WORK/$NAME.dump.enc" ;;
esac
cd "$WORK"

echo "checking the encrypted file's SHA-256" >&2
printf '%s  %s\\n' "$DUMP_SHA256" "$NAME.dump.enc" | sha256sum -c -

echo "decrypting (AES-256-CBC, PBKDF2-HMAC-SHA256, $ITERATIONS iterations)" >&2
openssl enc -d -aes-256-cbc -pbkdf2 -md sha256 -iter "$ITERATIONS" -pass file:"$KEYFILE" -in "$NAME.dump.enc" -out "$NAME.dump"

echo "checking the archive's SHA-256" >&2
printf '%s  %s\\n' "$ARCHIVE_SHA256" "$NAME.dump" | sha256sum -c -

echo "restoring into $SHOWN_TARGET\${TENANT:+ (schema $TENANT)}" >&2
LIST=()
if [ -n "$TENANT" ] && [ "$KIND" = all-tenants ]; then
  # pg_restore -n would leave out CREATE SCHEMA: select the tenant's entries of the archive's TOC.
  # A TOC line is "ID; OID OID DESC [- [SCHEMA ]]NAME ..."; the tenant is compared as a fixed string
  # (pg_restore -l prints line breaks in names as spaces).
  TOC_TENANT=\${TENANT//$'\\n'/ }
  TOC_TENANT=\${TOC_TENANT//$'\\r'/ }
  pg_restore -l "$NAME.dump" | TOC_TENANT="$TOC_TENANT " awk '
    BEGIN { t = ENVIRON["TOC_TENANT"] }
    /^[0-9]+; [0-9]+ [0-9]+ / {
      r = $0; sub(/^[0-9]+; [0-9]+ [0-9]+ /, "", r); off = 0
      while ((i = index(substr(r, off + 1), t)) > 0) {
        if (substr(r, 1, off + i - 1) ~ /^[A-Z][A-Z ]* (- (SCHEMA )?)?$/) { print; next }
        off += i
      }
    }' > "$NAME.list"
  if [ ! -s "$NAME.list" ]; then echo "tenant $TENANT is not in this backup" >&2; exit 65; fi
  LIST=(-L "$NAME.list")
fi
# shellcheck disable=SC2086
pg_restore --exit-on-error \${PG_RESTORE_OPTS:-} "\${LIST[@]}" -d "$TARGET" "$NAME.dump"
echo "restored $NAME" >&2
`;
}
