/**
 * An S3-protocol server (s3rver) on a free port, for tests driving the real AWS SDK against it.
 * s3rver 3 lacks AbortMultipartUpload and ListMultipartUploads; a middleware here adds both over its
 * own upload folders, so tests can check that no multipart upload is left behind.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { freePort } from './global-setup';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  port: number;
  dir: string;
  server: S3rver;
  /** Stop the server abruptly: every open connection is destroyed (an S3 outage mid-upload). */
  kill(): Promise<void>;
  /** Start it again on the same port and data directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface S3Request {
  method: string;
  path: string;
  query: Record<string, unknown>;
  /**
   * Answer never: read and discard the body, and settle once the client closes the connection (gave
   * up on the request). Returned from `onRequest`, it makes the endpoint one that hangs.
   */
  hang(): Promise<void>;
}

interface KoaContext extends Omit<S3Request, 'hang'> {
  req: import('node:http').IncomingMessage;
  status: number;
  body: unknown;
  type: string;
}

// Where s3rver's filesystem store keeps multipart uploads: <dir>/<bucket>/._S3rver_uploads/<id>/{key,…}.
const uploadsDir = (dir: string, bucket: string) => join(dir, bucket, '._S3rver_uploads');

async function listUploads(dir: string, bucket: string): Promise<Array<{ id: string; key: string }>> {
  const ids = await readdir(uploadsDir(dir, bucket)).catch(() => [] as string[]);
  return Promise.all(ids.map(async (id) => ({ id, key: await readFile(join(uploadsDir(dir, bucket), id, 'key'), 'utf8') })));
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** AbortMultipartUpload and ListMultipartUploads; true when it answered the request. */
async function multipartExtras(ctx: KoaContext, dir: string, bucket: string): Promise<boolean> {
  if (ctx.method === 'GET' && ctx.path.replace(/\/$/, '') === `/${bucket}` && 'uploads' in ctx.query) {
    const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
    const uploads = (await listUploads(dir, bucket)).filter((u) => u.key.startsWith(prefix));
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>${uploads.map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.id}</UploadId></Upload>`).join('')}</ListMultipartUploadsResult>`;
    return true;
  }
  if (ctx.method === 'DELETE' && typeof ctx.query.uploadId === 'string' && ctx.path.startsWith(`/${bucket}/`)) {
    const id = ctx.query.uploadId;
    const known = (await listUploads(dir, bucket)).some((u) => u.id === id);
    if (known) await rm(join(uploadsDir(dir, bucket), id), { recursive: true, force: true });
    ctx.status = known ? 204 : 404;
    if (!known) {
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
    }
    return true;
  }
  return false;
}

/**
 * GetBucketVersioning and GetObjectLockConfiguration, which s3rver 3 answers NotImplemented: the bucket
 * answers as one with versioning enabled and no Object Lock configuration (as AWS does for such a bucket).
 */
function protectionExtras(ctx: KoaContext, bucket: string): boolean {
  if (ctx.method !== 'GET' || ctx.path.replace(/\/$/, '') !== `/${bucket}`) return false;
  if ('versioning' in ctx.query) {
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>';
    return true;
  }
  if ('object-lock' in ctx.query) {
    ctx.status = 404;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ObjectLockConfigurationNotFoundError</Code><Message>Object Lock configuration does not exist for this bucket</Message></Error>';
    return true;
  }
  return false;
}

/**
 * `onRequest` sees every request before s3rver handles it (e.g. to stop the server mid-upload); a
 * promise it returns holds the request until it settles (an endpoint that stops answering).
 */
export async function startS3(bucket = 'pfo-backups', onRequest?: (req: S3Request) => void | Promise<void>): Promise<TestS3> {
  // The SDK's default chain reads these; s3rver accepts any credentials.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_REGION = 'us-east-1';
  const dir = await mkdtemp(join(tmpdir(), 'pfo-s3rver-'));
  const port = await freePort();
  const make = () => {
    const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
    // s3rver is a Koa app: a middleware put first sees each request.
    (server as unknown as { middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>> }).middleware.unshift(async (ctx, next) => {
      let hung = false;
      const hang = () =>
        new Promise<void>((resolve) => {
          hung = true;
          // A socket nobody reads never notices its peer leaving: keep reading.
          ctx.req.socket.once('close', () => resolve());
          ctx.req.resume();
        });
      await onRequest?.({ method: ctx.method, path: ctx.path, query: ctx.query, hang });
      // A held request's client has gone: handling it now would write a part into an upload the client
      // has since aborted (a folder without its key, which s3rver's listings then fail on, InternalError).
      if (hung) return;
      if (!(await multipartExtras(ctx, dir, bucket)) && !protectionExtras(ctx, bucket)) await next();
    });
    return server;
  };
  const s3: TestS3 = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    port,
    dir,
    server: make(),
    async kill() {
      const http = s3.server.httpServer as (import('node:http').Server & { closeAllConnections?: () => void }) | undefined;
      const closing = s3.server.close().catch(() => {});
      http?.closeAllConnections?.();
      await closing;
    },
    async restart() {
      s3.server = make();
      await s3.server.run();
    },
    async close() {
      await s3.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await s3.server.run();
  return s3;
}
