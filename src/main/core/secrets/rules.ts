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

// A key that names a password, token or key, as gitleaks' generic-api-key rule reads them…
const SECRET_KEY_NAME = /(?:passw(?:or)?d|pwd|secret|token|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|auth[_.-]?key|credentials?|creds)/i;
// …unless it names something about the secret rather than the secret (a file, an id, a length…).
const NOT_A_SECRET_KEY = /(?:file|path|dir|env|id|ids|name|names|url|uri|endpoint|host|length|len|ttl|timeout|expiry|type|header|mode|enabled|required|policy|method|encryption|arn|ref|version|field|store|provider|hash|prompt|regex|pattern)$/i;
// key [quote] operator [quote] value: .env / properties (=), YAML (:), JSON ("k": "v"), INI (k = v), code (:=, =>).
const ASSIGNMENT = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]{0,80})["'`]?[ \t]*(?::=|=>|=|:)[ \t]*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"'`,;#]+))/g;
// Values that point at the secret rather than hold it: variables, expressions, paths, tags, URLs.
const REFERENCE = /^(?:[$%!&*@]|[A-Za-z_$]+(?:\.[A-Za-z_$]+)+(?:[([].*)?$|[\w$.]+[([]|\/|\.{1,2}\/|~\/|[a-z][a-z0-9+.-]*:\/\/|(?:true|false|null|none|nil|undefined|yes|no|on|off)$|ENC\[|vault:|arn:)/i;
const MIN_GENERIC_LENGTH = 10;
/** Shannon entropy threshold in bits per character, as gitleaks' generic rule. */
export const GENERIC_ENTROPY = 3.5;

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / value.length) * Math.log2(n / value.length);
  return h;
}

// In program code an unquoted right-hand side is an expression or a type (`token: CancellationToken`).
const PROGRAM_FILE = /\.(?:m?[jt]sx?|c[jt]s|py|rb|go|java|kt|kts|scala|cs|php|swift|rs|c|cc|cpp|h|hpp|dart|lua|pl)$/i;

/** A password, token or key assigned a literal, random-looking value (gitleaks' generic-api-key). */
function genericAssignments(text: string, path: string): RuleHit[] {
  const hits: RuleHit[] = [];
  const quotedOnly = PROGRAM_FILE.test(path);
  const re = new RegExp(ASSIGNMENT);
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const key = m[1]!;
    if (!SECRET_KEY_NAME.test(key) || NOT_A_SECRET_KEY.test(key)) {
      // Look inside the value too: `"DSN": "user=app password=…"`.
      re.lastIndex = m.index + key.length;
      continue;
    }
    if (quotedOnly && m[4] !== undefined) continue;
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    if (value.length < MIN_GENERIC_LENGTH || isPlaceholder(value) || isDocumentedExample(value) || REFERENCE.test(value)) continue;
    if (shannonEntropy(value) < GENERIC_ENTROPY) continue;
    const start = m.index + m[0].lastIndexOf(value);
    hits.push({ rule: 'generic-api-key', severity: 'high', message: `${key} is assigned a literal secret`, value, start, end: start + value.length });
  }
  return hits;
}

/**
 * The rules secretlint's recommended preset lacks for this domain: PostgreSQL URIs with a real
 * password on a non-loopback host, AWS key pairs assigned in code or config, PGPASSWORD=, private
 * keys, and passwords/tokens/keys assigned a random-looking literal in .env, YAML, JSON, INI,
 * properties or code (generic-api-key). Example, placeholder and reference values are skipped here,
 * so decoys never become findings.
 */
export function scanText(text: string, path = ''): RuleHit[] {
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
  // Last: a specific rule above already named what it overlaps.
  for (const h of genericAssignments(text, path)) if (!hits.some((o) => h.start < o.end && h.end > o.start)) hits.push(h);
  return hits;
}
