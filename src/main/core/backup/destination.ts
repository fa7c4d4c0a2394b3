/**
 * Where backups live: a local folder or an S3 bucket/prefix. Objects are written so that a failure
 * leaves nothing that looks finished: a local file is written as `.partial` and renamed when complete;
 * an S3 multipart upload is aborted. The manifest is written last and is the only success record.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { awsClientOptions, isTimeout, networkTimeoutMs, timeoutError } from '../util/aws-client';
import { OpsError } from '../util/errors';
import { makeDirs } from '../util/paths';

export interface S3Options {
  endpoint?: string;
  region?: string;
  profile?: string;
  forcePathStyle?: boolean;
  /** SSE-S3 ('AES256') or SSE-KMS ('aws:kms', with kmsKeyId). */
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  /** Multipart part size in bytes (min 5 MiB); memory is bounded by partSize × queueSize. */
  partSize?: number;
  /** Deadline of one S3 call, retries included (default PODCASTFLOW_OPS_NETWORK_TIMEOUT_MS, else 30 s). */
  timeoutMs?: number;
}

export interface Destination {
  /** The destination as the operator wrote it, normalised (folder path or s3://bucket/prefix). */
  readonly location: string;
  /** The full location of one object (for results, manifests and restore.sh). */
  locate(name: string): string;
  upload(name: string, body: Readable, signal?: AbortSignal): Promise<void>;
  /** Small objects; content type text/x-shellscript marks a script (a local file is then executable by its owner). */
  putSmall(name: string, data: Buffer | string, contentType?: string): Promise<void>;
  /** A signal cancels a network read (S3) while it waits; a local file answers at once. */
  read(name: string, signal?: AbortSignal): Promise<Readable>;
  /** undefined when the object does not exist. */
  readSmall(name: string, signal?: AbortSignal): Promise<Buffer | undefined>;
  /** Object names (relative to the destination) ending with `suffix`. */
  list(suffix: string, signal?: AbortSignal): Promise<string[]>;
  remove(name: string): Promise<void>;
  /** Local folders: it exists or can be created, is a folder, and takes a probe file; throws a clear error naming it otherwise. */
  check?(): Promise<void>;
}

export class LocalDestination implements Destination {
  readonly location: string;
  constructor(dir: string) {
    this.location = resolve(dir);
  }
  locate(name: string): string {
    return join(this.location, name);
  }
  async check(): Promise<void> {
    try {
      await makeDirs(this.location);
      const probe = this.locate(`.podcastflow-ops-probe-${randomBytes(4).toString('hex')}`);
      await writeFile(probe, 'probe\n', { mode: 0o600 });
      await rm(probe, { force: true });
    } catch (err) {
      throw destinationError(err, this.location);
    }
  }
  async upload(name: string, body: Readable, signal?: AbortSignal, mode = 0o600): Promise<void> {
    try {
      await makeDirs(this.location);
    } catch (err) {
      body.destroy();
      throw destinationError(err, this.location);
    }
    const final = this.locate(name);
    const partial = `${final}.partial`;
    try {
      await pipeline(body, createWriteStream(partial, { mode }), signal ? { signal } : {});
      const h = await open(partial, 'r');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(partial, final);
    } catch (err) {
      await rm(partial, { force: true });
      throw translateWriteError(err, this.location);
    }
  }
  async putSmall(name: string, data: Buffer | string, contentType?: string): Promise<void> {
    // restore.sh is run by hand on a bare machine: executable by its owner, so its own usage line works.
    await this.upload(name, Readable.from([typeof data === 'string' ? Buffer.from(data) : data]), undefined, contentType === 'text/x-shellscript' ? 0o700 : 0o600);
  }
  async read(name: string): Promise<Readable> {
    try {
      await stat(this.locate(name));
    } catch {
      throw new OpsError('backup_missing', `${this.locate(name)} does not exist.`, 'Check the path; a backup is three files side by side (.dump.enc, .manifest.json, .restore.sh).');
    }
    return createReadStream(this.locate(name));
  }
  async readSmall(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.locate(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
  async list(suffix: string): Promise<string[]> {
    try {
      return (await readdir(this.location)).filter((n) => n.endsWith(suffix)).sort();
    } catch (err) {
      throw destinationError(err, this.location);
    }
  }
  async remove(name: string): Promise<void> {
    await rm(this.locate(name), { force: true });
  }
}

/** Why a local destination cannot be used, naming it and the reason. */
function destinationError(err: unknown, where: string): OpsError {
  if (err instanceof OpsError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new OpsError('destination_not_found', `Destination not found: ${where} (${(err as Error).message}).`, 'Check the path, or create the folder first (a backup creates it where it can).');
  if (code === 'ENOTDIR' || code === 'EEXIST') return new OpsError('destination_not_a_folder', `The destination ${where} is not a folder (${(err as Error).message}).`, 'Point the destination at a folder.');
  const reason = code ? `${code}: ${(err as Error).message}` : String(err);
  return new OpsError('destination_unwritable', `Cannot use the destination ${where}: creating it or writing a probe file there failed (${reason}).`, 'Check the folder exists (or can be created) and this user may write to it.');
}

function translateWriteError(err: unknown, where: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new OpsError('destination_full', `The destination ${where} is full; the backup was not written.`, 'Free space there (or apply retention) and run the backup again. The partial file was removed.');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new OpsError('destination_unwritable', `Cannot write to ${where} (${code}).`, 'Check the folder exists and this user may write to it.');
  return err;
}

export class S3Destination implements Destination {
  readonly location: string;
  readonly client: S3Client;
  /** Where requests go, for error messages. */
  readonly endpoint: string;
  private readonly timeoutMs: number;
  constructor(
    readonly bucket: string,
    readonly prefix: string,
    private readonly opts: S3Options = {},
  ) {
    this.location = `s3://${bucket}/${prefix}`.replace(/\/$/, '');
    const endpoint = opts.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.endpoint = endpoint ?? `https://s3.${region}.amazonaws.com`;
    this.timeoutMs = opts.timeoutMs ?? networkTimeoutMs();
    this.client = new S3Client({
      ...(endpoint ? { endpoint, forcePathStyle: opts.forcePathStyle ?? true } : opts.forcePathStyle ? { forcePathStyle: true } : {}),
      region,
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...awsClientOptions(this.timeoutMs, { idleOnly: true }),
    });
  }
  private key(name: string): string {
    return this.prefix ? `${this.prefix.replace(/\/$/, '')}/${name}` : name;
  }
  locate(name: string): string {
    return `s3://${this.bucket}/${this.key(name)}`;
  }
  private sse(): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
    if (!this.opts.sse) return {};
    return { ServerSideEncryption: this.opts.sse, ...(this.opts.kmsKeyId ? { SSEKMSKeyId: this.opts.kmsKeyId } : {}) };
  }
  private fail(err: unknown, where: string, action: string, signal?: AbortSignal): OpsError {
    if (signal?.aborted) return new OpsError('cancelled', `Cancelled the S3 ${action} of ${where}.`);
    if (isTimeout(err)) return timeoutError('S3', this.endpoint, `${action} of ${where}`, this.timeoutMs);
    return s3Error(err, where, action);
  }
  async upload(name: string, body: Readable, signal?: AbortSignal): Promise<void> {
    const Key = this.key(name);
    // lib-storage does not hand its abort signal to the requests it sends: a part stuck on a silent
    // endpoint would hold a cancel until its timeout, and a part landing after AbortMultipartUpload
    // would leave storage behind. So every request of this upload carries the caller's signal.
    const send = this.client.send.bind(this.client) as (command: unknown, options?: object) => Promise<unknown>;
    const client: S3Client = Object.create(this.client);
    client.send = ((command: unknown, options?: object) => send(command, { ...options, ...(signal ? { abortSignal: signal } : {}) })) as S3Client['send'];
    const upload = new Upload({
      client,
      params: { Bucket: this.bucket, Key, Body: body, ...this.sse() },
      partSize: Math.max(5 * 1024 * 1024, this.opts.partSize ?? 8 * 1024 * 1024),
      queueSize: 4,
      // We abort ourselves below, through the client without the (by then aborted) signal.
      leavePartsOnError: true,
    });
    const onAbort = () => void upload.abort();
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      // No partial object: abort the multipart upload (best effort if the store itself is gone).
      const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
      if (uploadId) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId })).catch(() => {});
      if (signal?.aborted) throw new OpsError('cancelled', 'Cancelled; the upload was aborted.');
      throw this.fail(err, this.locate(name), 'upload');
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
  async putSmall(name: string, data: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(name), Body: typeof data === 'string' ? Buffer.from(data) : data, ContentType: contentType, ...this.sse() }));
    } catch (err) {
      throw this.fail(err, this.locate(name), 'write');
    }
  }
  async read(name: string, signal?: AbortSignal): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), signal ? { abortSignal: signal } : {});
      return out.Body as Readable;
    } catch (err) {
      throw this.fail(err, this.locate(name), 'read', signal);
    }
  }
  async readSmall(name: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), signal ? { abortSignal: signal } : {});
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw this.fail(err, this.locate(name), 'read', signal);
    }
  }
  async list(suffix: string, signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    const base = this.prefix ? `${this.prefix.replace(/\/$/, '')}/` : '';
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, ContinuationToken: token, Delimiter: '/' }), signal ? { abortSignal: signal } : {});
        for (const o of out.Contents ?? []) if (o.Key?.endsWith(suffix)) names.push(o.Key.slice(base.length));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.fail(err, this.location, 'list', signal);
    }
    return names.sort();
  }
  async remove(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
    } catch (err) {
      throw this.fail(err, this.locate(name), 'delete');
    }
  }
}

function s3Error(err: unknown, where: string, action: string): OpsError {
  if (err instanceof OpsError) return err;
  const e = err as { name?: string; code?: string; message?: string };
  const what = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'error');
  const hint =
    what === 'NoSuchBucket'
      ? 'Create the bucket first, or check its name.'
      : what === 'AccessDenied' || what === 'InvalidAccessKeyId' || what === 'SignatureDoesNotMatch'
        ? 'Check the AWS credentials (default chain, --profile) and the bucket policy.'
        : 'Check the endpoint, the network and the bucket; nothing was recorded as a success.';
  return new OpsError('s3_failed', `S3 ${action} of ${where} failed: ${what}${e.message && e.message !== what ? ` (${e.message.slice(0, 200)})` : ''}.`, hint);
}

/** Parse a destination: a folder path, file:///path, or s3://bucket/prefix. */
export function openDestination(spec: string, s3: S3Options = {}): Destination {
  if (/^s3:\/\//i.test(spec)) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(spec);
    if (!m || m[1]!.length < 3) throw new OpsError('invalid_destination', `"${spec}" is not a valid S3 destination.`, 'Use s3://bucket/prefix (bucket names have at least 3 characters).');
    return new S3Destination(m[1]!, m[2]!.replace(/\/+$/, ''), s3);
  }
  if (/^file:\/\//i.test(spec)) return new LocalDestination(fileURLToPath(spec));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) throw new OpsError('invalid_destination', `Unsupported destination "${spec}".`, 'Use a folder path, file:///path or s3://bucket/prefix.');
  return new LocalDestination(isAbsolute(spec) ? spec : resolve(spec));
}

/** A manifest reference (path or s3://.../<name>.manifest.json) split into its destination and name. */
export function openManifestRef(ref: string, s3: S3Options = {}): { dest: Destination; name: string } {
  const m = /^(.*?)([^/]+)\.manifest\.json$/.exec(ref);
  if (!m) throw new OpsError('invalid_backup', `"${ref}" is not a manifest.`, 'Pass the <name>.manifest.json of a backup (a path or an s3:// URL); `backups list` shows them.');
  const dir = m[1]!.replace(/\/$/, '') || '.';
  return { dest: openDestination(/^s3:\/\/[^/]+$/i.test(dir) ? `${dir}/` : dir, s3), name: m[2]! };
}
