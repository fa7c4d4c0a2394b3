/** Backups to an S3-protocol server (s3rver on a free port) through the real AWS SDK. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/main/core/backup/backup';
import { readCatalog } from '../../src/main/core/backup/catalog';
import { openDestination, openManifestRef, S3Destination } from '../../src/main/core/backup/destination';
import { loadKeyFile, type BackupKey } from '../../src/main/core/backup/keys';
import { restoreBackup } from '../../src/main/core/backup/restore';
import { parseUrl } from '../../src/main/core/db/connection';
import { Database } from '../../src/main/core/db/database';
import { loadSql } from '../../src/main/core/db/sql';
import { createScratchDatabase, withClient, type ScratchDatabase } from '../support/db';
import { startS3, type S3Request, type TestS3 } from '../support/s3';

let scratch: ScratchDatabase;
let db: Database;
let work: string;
let key: BackupKey;
let s3: TestS3;
let killOnPart: ((part: number) => void) | undefined;
let onPart: ((req: S3Request) => Promise<void> | undefined) | undefined;

async function counts(url: string, schema: string): Promise<Record<string, number>> {
  return withClient(url, async (c) => Object.fromEntries((await c.query<{ table: string; rows: string }>(loadSql('backup/row_counts'), [[schema], 0, 2147483647])).rows.map((r) => [r.table, Number(r.rows)])));
}

beforeAll(async () => {
  scratch = await createScratchDatabase({ seed: true, tenants: 2, workload: false, plantProblems: false, scale: 0.1 });
  const { target, password } = parseUrl(`${scratch.url}?sslmode=disable`);
  db = new Database(target, { password: password!, source: 'url' });
  work = await mkdtemp(join(tmpdir(), 'pfo-backup-s3-'));
  const keyPath = join(work, 'k.key');
  await writeFile(keyPath, execFileSync('openssl', ['rand', '-base64', '48']).toString(), { mode: 0o600 });
  key = await loadKeyFile(keyPath);
  s3 = await startS3('pfo-backups', (req) => {
    if (req.method !== 'PUT' || !req.query.partNumber) return;
    killOnPart?.(Number(req.query.partNumber));
    return onPart?.(req);
  });
});

afterAll(async () => {
  await db?.close();
  await scratch?.drop();
  await s3?.close();
  await rm(work, { recursive: true, force: true });
});

describe('S3 destination', () => {
  it('tenant and full backups; the catalog read back from the bucket; a tenant restored from S3 beside the live one', async () => {
    const tenant = (await db.query<{ n: string }>("SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'org\\_%' ORDER BY 1 LIMIT 1")).rows[0]!.n;
    const dest = openDestination(`s3://${s3.bucket}/prod/backups`, { endpoint: s3.endpoint, sse: 'AES256' });
    const t = await runBackup({ db, dest, key, scope: { kind: 'tenant', tenant } });
    const f = await runBackup({ db, dest, key, scope: { kind: 'full' } });
    expect(t.manifestLocation).toBe(`s3://${s3.bucket}/prod/backups/${t.manifest.name}.manifest.json`);

    // A new machine: a fresh client sees both from the manifests alone.
    const fresh = openDestination(`s3://${s3.bucket}/prod/backups`, { endpoint: s3.endpoint });
    const catalog = await readCatalog(fresh);
    expect(catalog.map((e) => e.id).sort()).toEqual([t.manifest.name, f.manifest.name].sort());
    expect(catalog.find((e) => e.id === t.manifest.name)?.tenant).toBe(tenant);

    const before = await counts(scratch.url, tenant);
    await withClient(scratch.url, (c) => c.query(`DELETE FROM "${tenant}".audit_log`));
    const live = await counts(scratch.url, tenant);
    const ref = openManifestRef(t.manifestLocation, { endpoint: s3.endpoint });
    const out = await restoreBackup({ db, dest: ref.dest, name: ref.name, keys: [key] });
    expect(await counts(scratch.url, out.schema!)).toEqual(before);
    expect(await counts(scratch.url, tenant)).toEqual(live);
  });

  it('the S3 server stopped mid-upload: the upload fails, nothing is recorded as a success', async () => {
    // ~20 MB of incompressible rows so the dump is a multipart upload of several 5 MiB parts.
    await withClient(scratch.url, (c) => c.query("CREATE TABLE public.fill AS SELECT g, md5(random()::text) || md5(random()::text) || md5(random()::text) AS pad FROM generate_series(1, 250000) g"));
    const prefix = 'outage';
    const dest = openDestination(`s3://${s3.bucket}/${prefix}`, { endpoint: s3.endpoint, partSize: 5 * 1024 * 1024 });
    let killed = false;
    killOnPart = (part) => {
      if (part >= 2 && !killed) {
        killed = true;
        void s3.kill();
      }
    };
    await expect(runBackup({ db, dest, key, scope: { kind: 'full' } })).rejects.toMatchObject({ code: 's3_failed' });
    expect(killed).toBe(true);
    killOnPart = undefined;
    await s3.restart();
    const client = (dest as S3Destination).client;
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
    expect(listed.Contents ?? []).toEqual([]);
    expect(await readCatalog(dest)).toEqual([]);
  });

  it('CLI: the first SIGINT stops a backup whose upload is stuck, and leaves no multipart upload or object', async () => {
    // The public.fill table of the test above makes the dump a multipart upload of two or more parts.
    const prefix = 'sigint';
    let heldPart!: () => void;
    const held = new Promise<void>((resolve) => (heldPart = resolve));
    let gaveUp: Promise<void> | undefined;
    onPart = (req) => {
      if (!req.path.includes(`/${prefix}/`) || Number(req.query.partNumber) < 2) return undefined;
      gaveUp = req.hang();
      heldPart();
      return gaveUp;
    };
    const child = spawn('node', ['bin/podcastflow-ops.js', 'backup', '--db', `${scratch.url}?sslmode=disable`, '--full', '--dest', `s3://${s3.bucket}/${prefix}`, '--endpoint', s3.endpoint, '--key-file', join(work, 'k.key'), '--json'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await held;
    child.kill('SIGINT');
    const code = await exited;
    await gaveUp;
    onPart = undefined;
    expect(code).not.toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'cancelled' } });
    const client = (openDestination(`s3://${s3.bucket}/${prefix}`, { endpoint: s3.endpoint }) as S3Destination).client;
    expect((await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: `${prefix}/` }))).Uploads ?? []).toEqual([]);
    expect((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }))).Contents ?? []).toEqual([]);
  });
});
