/**
 * Every AWS call has a deadline and honours cancel: S3 and Secrets Manager pointed at a socket that
 * accepts and never answers fail with a clear error naming the endpoint; a cancelled upload stuck on
 * s3rver leaves no multipart upload and no object; with no AWS configuration at all, the audit says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3Destination } from '../../src/main/core/backup/destination';
import { loadAwsSecret } from '../../src/main/core/backup/keys';
import { listSecretsPage } from '../../src/main/core/secrets/aws-audit';
import { runAudit } from '../../src/main/core/secrets/audit';
import { SecretCredentialCache } from '../../src/main/core/secrets/credentials';
import { NETWORK_TIMEOUT_ENV } from '../../src/main/core/util/aws-client';
import { startS3, type S3Request, type TestS3 } from '../support/s3';
import { startSilentServer, type SilentServer } from '../support/silent-server';

const AWS_VARS = Object.keys(process.env).filter((k) => k.startsWith('AWS_') || k === NETWORK_TIMEOUT_ENV || k === 'HOME');
let saved: Record<string, string | undefined>;
let silent: SilentServer;
let s3: TestS3;
let onPart: ((req: S3Request) => Promise<void> | void) | undefined;

function setEnv(vars: Record<string, string>): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_') || k === NETWORK_TIMEOUT_ENV) delete process.env[k];
  Object.assign(process.env, vars);
}

beforeAll(async () => {
  saved = Object.fromEntries(AWS_VARS.map((k) => [k, process.env[k]]));
  silent = await startSilentServer();
  s3 = await startS3('pfo-deadlines', (req) => (req.method === 'PUT' && req.query.partNumber ? onPart?.(req) : undefined));
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_') || k === NETWORK_TIMEOUT_ENV) delete process.env[k];
  for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
});
afterAll(async () => {
  await silent.close();
  await s3.close();
});

describe('a silent endpoint', () => {
  it('S3 list, read and upload fail with network_timeout naming the endpoint', async () => {
    setEnv({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
    const dest = new S3Destination('pfo-silent', 'p', { endpoint: silent.url, timeoutMs: 1500 });
    const expected = { code: 'network_timeout', message: expect.stringContaining(`S3 at ${silent.url} did not answer`), hint: expect.stringContaining(NETWORK_TIMEOUT_ENV) };
    await expect(dest.list('.manifest.json')).rejects.toMatchObject(expected);
    await expect(dest.readSmall('x.manifest.json')).rejects.toMatchObject(expected);
    await expect(dest.upload('x.dump.enc', Readable.from([Buffer.from('small body')]))).rejects.toMatchObject({ ...expected, message: expect.stringMatching(/\(upload of s3:\/\/pfo-silent\/p\/x\.dump\.enc\) within 1500 ms \(3 attempts\)/) });
    // The SDK's retry tried again: three connections for each of the three calls.
    expect(silent.accepted()).toBeGreaterThanOrEqual(9);
  });

  it('Secrets Manager (credentials, audit inventory, backup key) fails with network_timeout, marked transient', async () => {
    setEnv({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: silent.url, [NETWORK_TIMEOUT_ENV]: '1500' });
    const expected = { code: 'network_timeout', message: expect.stringContaining(`Secrets Manager at ${silent.url} did not answer`) };
    await expect(new SecretCredentialCache().resolve({ id: 'prod/db' })).rejects.toMatchObject({ ...expected, transient: true });
    await expect(listSecretsPage({})).rejects.toMatchObject(expected);
    await expect(loadAwsSecret('backup/key')).rejects.toMatchObject({ ...expected, message: expect.stringContaining('reading the backup key secret backup/key') });
    const report = await runAudit({ aws: {} });
    expect(report.summary.skipped).toEqual([{ category: 'aws', reason: expect.stringContaining('did not answer (Listing secrets) within 1500 ms') }]);
  });

  it('a bad deadline setting is refused with a clear message', async () => {
    setEnv({ [NETWORK_TIMEOUT_ENV]: 'soon' });
    expect(() => new S3Destination('pfo-silent', '', { endpoint: silent.url })).toThrow(/PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS must be whole milliseconds/);
  });
});

describe('cancel', () => {
  it('a cancel while a read, a manifest read or a listing waits on a silent endpoint ends it as cancelled', async () => {
    setEnv({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
    // A deadline far longer than the test: only the cancel can end these calls.
    const dest = new S3Destination('pfo-silent', 'p', { endpoint: silent.url, timeoutMs: 600_000 });
    const calls: Array<(signal: AbortSignal) => Promise<unknown>> = [(sig) => dest.read('x.dump.enc', sig), (sig) => dest.readSmall('x.manifest.json', sig), (sig) => dest.list('.manifest.json', sig)];
    for (const call of calls) {
      const before = silent.accepted();
      const controller = new AbortController();
      const pending = call(controller.signal);
      // Cancel once the request is on the wire, waiting for an answer that never comes.
      await expect.poll(() => silent.accepted()).toBeGreaterThan(before);
      controller.abort(new Error('Cancelled by the user.'));
      await expect(pending).rejects.toMatchObject({ code: 'cancelled', message: expect.stringContaining('s3://pfo-silent/p') });
    }
  });

  it('a cancel while a part is stuck on the server stops the upload and aborts the multipart upload', async () => {
    setEnv({ AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
    const dest = new S3Destination(s3.bucket, 'stuck', { endpoint: s3.endpoint, partSize: 5 * 1024 * 1024 });
    // Part 1 goes through; part 2 is held by the server (it accepted the request and stopped answering).
    let gaveUp: Promise<void> | undefined;
    let seenHeld!: () => void;
    const heldSeen = new Promise<void>((resolve) => (seenHeld = resolve));
    onPart = (req) => {
      if (Number(req.query.partNumber) < 2) return;
      gaveUp = req.hang();
      seenHeld();
      return gaveUp;
    };
    // A body that yields two parts' worth and then waits, as a running pg_dump does.
    const body = new PassThrough();
    body.write(randomBytes(11 * 1024 * 1024));
    const controller = new AbortController();
    const uploading = dest.upload('stuck.dump.enc', body, controller.signal);
    await heldSeen;
    const during = await dest.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: 'stuck/' }));
    expect(during.Uploads?.map((u) => u.Key)).toEqual(['stuck/stuck.dump.enc']);

    controller.abort(new Error('Cancelled by the user.'));
    await expect(uploading).rejects.toMatchObject({ code: 'cancelled' });
    // The stuck request itself was given up (not left waiting for an answer until a timeout) …
    await gaveUp;
    onPart = undefined;
    // … and nothing is left: no multipart upload, no object.
    const after = await dest.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: 'stuck/' }));
    expect(after.Uploads ?? []).toEqual([]);
    const objects = await dest.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'stuck/' }));
    expect(objects.Contents ?? []).toEqual([]);
  });
});

describe('no AWS configuration at all', () => {
  it('the AWS part of the audit says so instead of probing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pfo-nohome-'));
    try {
      setEnv({ HOME: home });
      const report = await runAudit({ aws: {} });
      expect(report.summary.skipped).toEqual([{ category: 'aws', reason: expect.stringMatching(/^No AWS configuration found \(/) }]);
      await expect(listSecretsPage({})).rejects.toMatchObject({ code: 'aws_not_configured' });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
