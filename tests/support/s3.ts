/** An S3-protocol server (s3rver) on a free port, for tests driving the real AWS SDK against it. */
import { mkdtemp, rm } from 'node:fs/promises';
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
}

/** `onRequest` sees every request before s3rver handles it (e.g. to stop the server mid-upload). */
export async function startS3(bucket = 'pfo-backups', onRequest?: (req: S3Request) => void): Promise<TestS3> {
  // The SDK's default chain reads these; s3rver accepts any credentials.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_REGION = 'us-east-1';
  const dir = await mkdtemp(join(tmpdir(), 'pfo-s3rver-'));
  const port = await freePort();
  const make = () => {
    const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
    // s3rver is a Koa app: a middleware put first sees each request.
    (server as unknown as { middleware: Array<(ctx: S3Request, next: () => Promise<void>) => Promise<void>> }).middleware.unshift(async (ctx, next) => {
      onRequest?.({ method: ctx.method, path: ctx.path, query: ctx.query });
      await next();
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
