/**
 * The manifest of a backup (DESIGN §4): what the backup is, both hashes, the encryption parameters and
 * every table's row count, signed with an HMAC over its canonical JSON. It is written last, after
 * restore.sh: it is the one success record, so a backup whose record could not be written leaves nothing.
 */
import type { Manifest } from '../../../shared/domain/backups';
import type { Target } from '../db/connection';
import { signManifestBody } from './crypto';
import type { Destination } from './destination';
import type { Dumped } from './dump-stream';
import { SUFFIX } from './naming';
import { restoreScript } from './script';
import type { BackupScope } from './snapshot';
import type { ServerFacts, ToolVersion } from './tools';

export interface ManifestFacts {
  name: string;
  scope: BackupScope;
  /** The schemas an all-tenants backup holds. */
  schemas: string[];
  server: ServerFacts;
  target: Pick<Target, 'host' | 'port'>;
  pgDump: ToolVersion;
  startedAt: Date;
  finishedAt: Date;
  dumped: Omit<Dumped<unknown>, 'alongside'>;
  iterations: number;
  keyId: string;
  globals: Manifest['globals'];
  tables: Manifest['tables'];
}

/** The manifest, its HMAC keyed by the backup key's passphrase. */
export function buildManifest(f: ManifestFacts, passphrase: string): Manifest {
  const { name, scope, globals } = f;
  const body: Omit<Manifest, 'hmac'> = {
    format: 'podcastflow-ops-backup',
    formatVersion: 1,
    id: name,
    name,
    kind: scope.kind,
    ...(scope.kind === 'tenant' ? { tenant: scope.tenant } : {}),
    ...(scope.kind === 'all-tenants' ? { tenants: f.schemas } : {}),
    database: { name: f.server.database, host: f.target.host, port: f.target.port, serverVersion: f.server.server_version, serverVersionNum: f.server.server_version_num },
    pgDump: { version: f.pgDump.version },
    startedAt: f.startedAt.toISOString(),
    finishedAt: f.finishedAt.toISOString(),
    durationMs: f.finishedAt.getTime() - f.startedAt.getTime(),
    files: { dump: name + SUFFIX.dump, restoreScript: name + SUFFIX.script, ...(globals?.included ? { globals: name + SUFFIX.globals } : {}) },
    plaintext: f.dumped.plaintext,
    ciphertext: f.dumped.ciphertext,
    encryption: { cipher: 'aes-256-cbc', kdf: 'pbkdf2-hmac-sha256', iterations: f.iterations, keyId: f.keyId, format: 'openssl-salted' },
    ...(globals ? { globals } : {}),
    tables: f.tables,
  };
  return { ...body, hmac: { alg: 'HMAC-SHA256', value: signManifestBody(body, passphrase) } };
}

/** restore.sh, then the manifest; if either cannot be written, the backup's objects are removed. */
export async function writeManifest(dest: Destination, manifest: Manifest): Promise<void> {
  const name = manifest.name;
  try {
    const dir = dest.locate('').replace(/\/$/, '');
    await dest.putSmall(name + SUFFIX.script, restoreScript(manifest, dir), 'text/x-shellscript');
    // Last: the manifest is the success record.
    await dest.putSmall(name + SUFFIX.manifest, JSON.stringify(manifest, null, 2) + '\n', 'application/json');
  } catch (err) {
    for (const f of [SUFFIX.dump, SUFFIX.script, SUFFIX.globals]) await dest.remove(name + f).catch(() => {});
    throw err;
  }
}
