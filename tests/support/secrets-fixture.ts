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

/** Random-looking values (16 distinct characters: 4 bits each), one per format, assembled at run time. */
export const CONFIG_LEAKS = {
  env: 'q8Zr2LmX' + '9vTp4WsK',
  yaml: 'Hn3bQ7cY' + 'e1Rk5uJw',
  json: 'P2gV8fLz' + 'M6tD0sXa',
  ini: 'W4kN9hBq' + 'T3yE7rCm',
  properties: 'F5jS1dGx' + 'U8pA2vZn',
  allowed: 'K7mR3wQe' + 'Y9bT1cHs',
  ignored: 'D6nL2zVf' + 'J4xP8gMa',
  ignoredByCommit: 'B1hW5qKt' + 'N7eR3yUc',
  inBaseline: 'S9vC4mXj' + 'G2kF6pLd',
};

/**
 * Passwords, tokens and keys assigned in each config format gitleaks' generic rule covers, next to
 * placeholders, references and empties (none a finding), one `gitleaks:allow` line, two
 * `.gitleaksignore` entries (plain and commit-qualified) and a baseline whose note looks like a leak.
 */
export function makeConfigFormatsProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'pfo-formats-'));
  const L = CONFIG_LEAKS;
  write(root, '.env', `# local settings\nAPP_PORT=8080\nDB_PASSWORD=${L.env}\nAPI_TOKEN=changeme\nSECRET_KEY=\nREDIS_PASSWORD=\${REDIS_PASSWORD}\n`, 0o600);
  write(root, 'config/app.yaml', `database:\n  host: db.prod.internal\n  password: ${L.yaml}\n`);
  write(root, 'config/app.json', `{\n  "db": {\n    "user": "app",\n    "secret_key": "${L.json}"\n  }\n}\n`);
  write(root, 'config/app.ini', `[database]\nuser = app\nsecret_key = ${L.ini}\n`);
  write(root, 'config/app.properties', `db.user=app\ndb.password=${L.properties}\n`);
  write(root, 'config/placeholders.yaml', [
    'password: changeme',
    'db_password: "<password>"',
    'api_token: xxxxxxxxxxxx',
    'secret_key: ${SECRET_KEY}',
    'token: "{{ vault_token }}"',
    'password_file: /run/secrets/db_password',
    'auth_token:',
    "client_secret: ''",
    'password: !Ref DbPassword',
    'password: aaaaaaaaaaaaaaaa',
    'secret_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    '',
  ].join('\n'));
  write(root, 'config/placeholders.ini', '[db]\npassword = %(db_password)s\nsecret_key =\napi_key = ${API_KEY}\n');
  write(root, 'config/placeholders.properties', 'db.password=${DB_PASSWORD}\ndb.password.file=/etc/podcastflow/db.pw\n');
  write(root, 'config/placeholders.json', '{ "password": "<password>", "secret_key": "", "token": "{{ token }}", "api_key": "process.env.API_KEY" }\n');
  write(root, 'src/settings.ts', 'export const password = process.env.DB_PASSWORD;\nexport function f(token: CancellationTokenSource) { return token; }\n');
  write(root, 'config/allowed.yaml', `smtp:\n  password: ${L.allowed} # gitleaks:allow\n`);
  write(root, 'config/ignored.properties', `smtp.user=mailer\nsmtp.password=${L.ignored}\n`);
  write(root, 'config/ignored.ini', `api_key = ${L.ignoredByCommit}\n`);
  write(root, '.gitleaksignore', '# accepted findings\nconfig/ignored.properties:generic-api-key:2\n3f786850e387550fdab836ed7e6dc881de23001b:config/ignored.ini:generic-api-key:1\n');
  write(root, '.podcastflow-secrets-baseline.json', JSON.stringify({ version: 1, suppressed: [{ fingerprint: 'a'.repeat(64), addedAt: '2026-01-01T00:00:00.000Z', note: `rotated; was password=${L.inBaseline}` }] }, null, 2) + '\n');
  return root;
}
