// Masks secrets in text that may reach a log line, an error or the renderer.

const registered = new Set<string>();

/** Remember a secret value (a password, a passphrase) so that redact() masks it wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) registered.add(value);
}

const patterns: Array<[RegExp, string]> = [
  // scheme://user:password@host -> scheme://user:***@host
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)([^@/\s]+)(@)/gi, '$1***$3'],
  // password=... in libpq keyword strings and query strings
  [/(\bpassword=)([^\s&;]+)/gi, '$1***'],
  [/(PGPASSWORD=)(\S+)/g, '$1***'],
  // SQL: CREATE/ALTER ROLE … PASSWORD '…' (a statement text in pg_stat_activity, pg_stat_statements, a log line)
  [/(\bPASSWORD\s+)(E?'(?:[^']|'')*'|\$([A-Za-z_]*)\$[\s\S]*?\$\3\$)/gi, "$1'***'"],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}
