import type { AuditSeverity } from '../../../shared/domain/secrets';

/** A match of one of our own rules: where the secret value sits in the text. */
export interface RuleHit {
  rule: string;
  severity: AuditSeverity;
  message: string;
  /** The secret itself (masked before it leaves the scanner; hashed into the fingerprint). */
  value: string;
  start: number;
  end: number;
}

// Loopback and placeholders are how examples and local setups look; they are not leaks.
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\]|0\.0\.0\.0|host\.docker\.internal)$/i;
const PLACEHOLDER =
  /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{.*\}\}|<[^>]*>|%[sd(]|\*+|x+|\.{3}|…|changeme|change_?me|password|passw(?:or)?d|pass|pw|secret|your[_-]?password|your[_-]?pass|example|placeholder|redacted|mask(?:ed)?|todo|test|dummy)$/i;

export function isPlaceholder(value: string): boolean {
  const v = value.trim().replace(/^['"]|['"]$/g, '');
  if (v === '') return true;
  if (PLACEHOLDER.test(v)) return true;
  // Templated fragments anywhere: ${VAR}, {{ var }}, <password>, %(password)s, $VAR.
  return /\$\{[^}]*\}|\{\{[^}]*\}\}|<[a-z_ -]+>|%\([a-z_]+\)s|^\$[A-Z_][A-Z0-9_]*$/i.test(v);
}

/** AWS's documented example credentials (AKIAIOSFODNN7EXAMPLE, wJalr…EXAMPLEKEY) and their kin. */
export function isDocumentedExample(value: string): boolean {
  return /EXAMPLE/.test(value);
}

const PG_URI = /\bpostgres(?:ql)?:\/\/([^\s:/@'"`<>]*):([^\s@'"`]+)@(\[[^\]\s]+\]|[^\s/:?#'"`,;]+)/gi;
const AWS_SECRET = /(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|secretAccessKey)["']?\s*(?::|=|=>|:=)\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi;
const AWS_KEY_ID = /(?<![A-Z0-9])((?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16})(?![A-Z0-9])/g;
const PGPASSWORD = /\bPGPASSWORD\s*[:=]\s*(["']?)([^\s"'`;&|]*)\1/g;
const PRIVATE_KEY = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----([\s\S]*?)-----END \1-----/g;

/**
 * The rules secretlint's recommended preset lacks for this domain: PostgreSQL URIs with a real
 * password on a non-loopback host, AWS key pairs assigned in code or config, PGPASSWORD= and
 * private keys. Example and placeholder values are skipped here, so decoys never become findings.
 */
export function scanText(text: string): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const m of text.matchAll(PG_URI)) {
    const [, user, password, host] = m;
    if (LOOPBACK.test(host!) || isPlaceholder(password!) || isDocumentedExample(password!)) continue;
    const start = m.index + m[0].indexOf(`:${password}@`) + 1;
    hits.push({ rule: 'postgres-uri-password', severity: 'high', message: `PostgreSQL URI for ${user || '(default user)'}@${host} carries a password`, value: password!, start, end: start + password!.length });
  }
  for (const m of text.matchAll(AWS_SECRET)) {
    const value = m[1]!;
    if (isDocumentedExample(value)) continue;
    const start = m.index + m[0].lastIndexOf(value);
    hits.push({ rule: 'aws-secret-access-key', severity: 'critical', message: 'AWS secret access key assigned in code or config', value, start, end: start + value.length });
  }
  for (const m of text.matchAll(AWS_KEY_ID)) {
    const value = m[1]!;
    if (isDocumentedExample(value)) continue;
    hits.push({ rule: 'aws-access-key-id', severity: 'high', message: `AWS access key id ${value.slice(0, 4)}…`, value, start: m.index, end: m.index + value.length });
  }
  for (const m of text.matchAll(PGPASSWORD)) {
    const value = m[2]!;
    if (isPlaceholder(value) || isDocumentedExample(value)) continue;
    const start = m.index + m[0].lastIndexOf(value);
    hits.push({ rule: 'pgpassword-assignment', severity: 'high', message: 'PGPASSWORD assigned a literal password', value, start, end: start + value.length });
  }
  for (const m of text.matchAll(PRIVATE_KEY)) {
    const body = m[2]!.replace(/\s+/g, '');
    // "-----BEGIN … KEY-----\n...\n-----END" in docs is not a key.
    if (body.length < 32 || /^[.…x*]+$/i.test(body) || isDocumentedExample(body)) continue;
    hits.push({ rule: 'private-key', severity: 'critical', message: `${m[1]!.trim()} in the repository`, value: body, start: m.index, end: m.index + m[0].length });
  }
  return hits;
}
