import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/**
 * A small Secrets Manager for tests: AWS JSON 1.1 over HTTP on a free loopback port, spoken to by
 * the real @aws-sdk/client-secrets-manager through an endpoint override. Implements GetSecretValue,
 * DescribeSecret, ListSecrets (paged), PutSecretValue, RotateSecret and AWS's error shapes.
 */
export interface FakeSecret {
  name: string;
  arn: string;
  description?: string;
  kmsKeyId?: string;
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rotationDays?: number;
  createdDate: Date;
  lastRotatedDate?: Date;
  lastAccessedDate?: Date;
  nextRotationDate?: Date;
  versions: Array<{ id: string; value: string; stages: string[]; created: Date }>;
}

export interface SecretsManagerServer {
  url: string;
  secrets: Map<string, FakeSecret>;
  /** Calls received, by operation ("GetSecretValue", …). */
  calls: string[];
  /** Fail the next n calls (of one operation, or any) with an AWS error name. */
  failNext(errorName: string, n?: number, operation?: string): void;
  create(name: string, value: string, extra?: Partial<Omit<FakeSecret, 'name' | 'arn' | 'versions'>>): FakeSecret;
  /** A new AWSCURRENT version (as a rotation or PutSecretValue would make). */
  put(name: string, value: string): string;
  /** What RotateSecret stores as the new value (default: the same value, new version). */
  rotateWith?: (secret: FakeSecret) => string;
  stop(): Promise<void>;
}

const epoch = (d?: Date) => (d ? d.getTime() / 1000 : undefined);

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startSecretsManager(): Promise<SecretsManagerServer> {
  const secrets = new Map<string, FakeSecret>();
  const calls: string[] = [];
  const failures: Array<{ name: string; left: number; operation?: string }> = [];

  const find = (id: unknown): FakeSecret => {
    const s = typeof id === 'string' ? (secrets.get(id) ?? [...secrets.values()].find((x) => x.arn === id)) : undefined;
    if (!s) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return s;
  };
  const current = (s: FakeSecret) => s.versions.find((v) => v.stages.includes('AWSCURRENT'))!;
  const addVersion = (s: FakeSecret, value: string): string => {
    for (const v of s.versions) {
      v.stages = v.stages.filter((st) => st !== 'AWSCURRENT' && st !== 'AWSPREVIOUS');
    }
    const prev = s.versions.at(-1);
    if (prev) prev.stages.push('AWSPREVIOUS');
    const id = randomUUID();
    s.versions.push({ id, value, stages: ['AWSCURRENT'], created: new Date() });
    return id;
  };
  const describe = (s: FakeSecret) => ({
    ARN: s.arn,
    Name: s.name,
    Description: s.description,
    KmsKeyId: s.kmsKeyId,
    RotationEnabled: s.rotationEnabled ?? false,
    RotationLambdaARN: s.rotationLambdaArn,
    RotationRules: s.rotationDays ? { AutomaticallyAfterDays: s.rotationDays } : undefined,
    CreatedDate: epoch(s.createdDate),
    LastRotatedDate: epoch(s.lastRotatedDate),
    LastAccessedDate: epoch(s.lastAccessedDate),
    NextRotationDate: epoch(s.nextRotationDate),
    VersionIdsToStages: Object.fromEntries(s.versions.filter((v) => v.stages.length).map((v) => [v.id, v.stages])),
  });

  const ops: Record<string, (body: Record<string, unknown>) => unknown> = {
    GetSecretValue: (b) => {
      const s = find(b.SecretId);
      const v = b.VersionId ? s.versions.find((x) => x.id === b.VersionId) : current(s);
      if (!v) throw new AwsError('ResourceNotFoundException', 'Version not found.');
      s.lastAccessedDate = new Date();
      return { ARN: s.arn, Name: s.name, VersionId: v.id, SecretString: v.value, VersionStages: v.stages, CreatedDate: epoch(v.created) };
    },
    DescribeSecret: (b) => describe(find(b.SecretId)),
    ListSecrets: (b) => {
      const max = Math.min(Number(b.MaxResults ?? 100), 100);
      const all = [...secrets.values()].sort((a, c) => a.name.localeCompare(c.name));
      const start = b.NextToken ? Number(Buffer.from(String(b.NextToken), 'base64').toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidNextTokenException', 'Invalid NextToken.');
      const page = all.slice(start, start + max);
      const next = start + max < all.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
      return { SecretList: page.map(describe), ...(next ? { NextToken: next } : {}) };
    },
    PutSecretValue: (b) => {
      const s = find(b.SecretId);
      const id = addVersion(s, String(b.SecretString ?? ''));
      return { ARN: s.arn, Name: s.name, VersionId: id, VersionStages: ['AWSCURRENT'] };
    },
    RotateSecret: (b) => {
      const s = find(b.SecretId);
      if (!s.rotationEnabled && !s.rotationLambdaArn && !b.RotationLambdaARN) {
        throw new AwsError('InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.');
      }
      const id = addVersion(s, server.rotateWith ? server.rotateWith(s) : current(s).value);
      s.lastRotatedDate = new Date();
      return { ARN: s.arn, Name: s.name, VersionId: id };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.replace(/^secretsmanager\./, '');
    calls.push(op);
    const send = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}), 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method !== 'POST' || !target.startsWith('secretsmanager.')) throw new AwsError('UnknownOperationException', 'Unknown operation.');
      const f = failures.find((x) => x.left > 0 && (!x.operation || x.operation === op));
      if (f) {
        f.left--;
        throw new AwsError(f.name, `Simulated ${f.name}`, f.name === 'InternalServiceError' ? 500 : 400);
      }
      const fn = ops[op];
      if (!fn) throw new AwsError('UnknownOperationException', `Operation ${op} is not implemented here.`);
      send(200, fn(JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>));
    } catch (err) {
      const e = err instanceof AwsError ? err : new AwsError('InternalServiceError', String(err), 500);
      send(e.status, { __type: e.type, message: e.message }, e.type);
    }
  };

  const http: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  const server: SecretsManagerServer = {
    url: `http://127.0.0.1:${port}`,
    secrets,
    calls,
    failNext(name, n = 1, operation) {
      failures.push({ name, left: n, ...(operation ? { operation } : {}) });
    },
    create(name, value, extra = {}) {
      const s: FakeSecret = { name, arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`, versions: [], ...extra, createdDate: extra.createdDate ?? new Date() };
      addVersion(s, value);
      secrets.set(name, s);
      return s;
    },
    put(name, value) {
      return addVersion(find(name), value);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return server;
}

/** Point the SDK at the server, with dummy credentials, for the duration of a test file. */
export function useSecretsManagerEnv(url: string): () => void {
  const keys = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = url;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = 'us-east-1';
  return () => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };
}

/** A server for the tests of the enclosing describe block (or file), the SDK pointed at it; call the getter inside a test. */
export function withSecretsManager(): () => SecretsManagerServer {
  let sm: SecretsManagerServer | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    sm = await startSecretsManager();
    restoreEnv = useSecretsManagerEnv(sm.url);
  });
  afterAll(async () => {
    restoreEnv?.();
    await sm?.stop();
  });
  return () => sm!;
}
