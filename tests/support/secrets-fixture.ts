import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Values are assembled at run time so this file itself never looks like a leak to a scanner.
const AKIA = 'AK' + 'IA';
export const LEAKS = {
  keyId: `${AKIA}Q3EGRT7XWL2NB5HF`,
  secretKey: ['k7Hq2vN9', 'pR4sT6wX', '8yZ1aB3c', 'D5eF7gH9', 'jK2mN4pQ'].join(''),
  pgPassword: 'Tr0ub4dor-' + 'horse-77',
  privateKeyBody: 'MIIEpAIBAAKCAQEA7v' + 'Qk1bX9fZ2yJq4T8sVwLx0nE5rGhP3uYcD6mK9aB2tR4wZ8eF1jH7nL0qS3vX6yC9bN2',
  pgpass: 'sup3r-' + 'secret-pw',
};

function write(root: string, path: string, text: string, mode?: number): void {
  const abs = join(root, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  if (mode !== undefined) chmodSync(abs, mode);
}

/**
 * A project folder with one of each true positive and the usual decoys, as a git repository:
 * an AWS key pair in TypeScript, a PostgreSQL URI with a password in YAML, a private key file,
 * a world-readable committed .env, a variable used in code but missing from .env.example.
 */
export function makeLeakyProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'pfo-secrets-'));
  write(root, 'src/aws.ts', `export const credentials = {\n  accessKeyId: '${LEAKS.keyId}',\n  secretAccessKey: '${LEAKS.secretKey}',\n};\nexport const region = process.env.AWS_REGION;\nexport const token = process.env.PAYMENT_TOKEN;\n`);
  write(root, 'config/database.yml', `production:\n  url: postgres://podcastflow:${LEAKS.pgPassword}@db.prod.internal:5432/podcastflow\n`);
  write(root, 'deploy/id_rsa', `-----BEGIN RSA PRIVATE KEY-----\n${LEAKS.privateKeyBody}\n-----END RSA PRIVATE KEY-----\n`);
  write(root, 'scripts/restore.sh', `#!/bin/sh\nPGPASSWORD=${LEAKS.pgpass} psql -h db.prod.internal podcastflow\n`);
  write(root, '.env', 'AWS_REGION=eu-west-1\nDATABASE_URL=\nPAYMENT_TOKEN=\n', 0o644);
  write(root, '.env.example', 'AWS_REGION=\nDATABASE_URL=\n');
  // Decoys: none of these may produce a finding.
  write(root, 'src/decoys.ts', [
    "const local = 'postgres://app:localpw@localhost:5432/dev';",
    "const loop = 'postgresql://app:devpass@127.0.0.1/dev';",
    "const templ = 'postgres://app:${DB_PASSWORD}@db.prod.internal/podcastflow';",
    "const ph = 'postgres://app:<password>@db.prod.internal/podcastflow';",
    "const doc = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };",
    'const pg = "PGPASSWORD=$PGPASSWORD";',
    'const db = process.env.DATABASE_URL;',
    '',
  ].join('\n'));
  write(root, 'node_modules/some-lib/index.js', `module.exports = { key: '${LEAKS.keyId}', url: 'postgres://u:${LEAKS.pgPassword}@db.prod.internal/x' };\n`);
  write(root, 'build/out.js', `const k = '${LEAKS.keyId}';\n`);
  write(root, '.gitignore', 'node_modules/\nbuild/\n');
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '-A'], { cwd: root });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init'], { cwd: root });
  chmodSync(join(root, '.env'), 0o644);
  return root;
}
