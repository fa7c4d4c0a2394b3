import type { AuditFinding } from '../../../shared/domain/secrets';
import { fingerprint } from './findings';
import { readText, type RepoFile, type RepoListing } from './files';

const ENV_FILE = /(^|\/)\.env(\.[A-Za-z0-9_-]+)?$/;
const EXAMPLE_FILE = /(^|\/)\.env\.(example|sample|template|dist|defaults)$/;
const CODE_FILE = /\.(m?[jt]sx?|cjs|cts|py|rb|go|php|sh)$/;
// Variables every process has; their absence from .env.example is not an omission.
const AMBIENT = new Set(['NODE_ENV', 'HOME', 'PATH', 'PWD', 'USER', 'SHELL', 'TZ', 'CI', 'LANG', 'TERM', 'TMPDIR', 'DEBUG', 'PORT', 'HOSTNAME']);
const USES = [
  /process\.env\.([A-Z_][A-Z0-9_]*)/g,
  /process\.env\[\s*['"]([A-Z_][A-Z0-9_]*)['"]\s*\]/g,
  /import\.meta\.env\.([A-Z_][A-Z0-9_]*)/g,
  /os\.(?:environ\.get|getenv)\(\s*['"]([A-Z_][A-Z0-9_]*)['"]/g,
  /os\.environ\[\s*['"]([A-Z_][A-Z0-9_]*)['"]\s*\]/g,
  /ENV\[\s*['"]([A-Z_][A-Z0-9_]*)['"]\s*\]/g,
  /os\.Getenv\(\s*"([A-Z_][A-Z0-9_]*)"/g,
];

/** KEY=value lines of a dotenv file (export prefix, quotes and comments allowed). */
export function parseDotenv(text: string): Map<string, { value: string; line: number }> {
  const vars = new Map<string, { value: string; line: number }>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) return;
    let value = m[2]!.trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    vars.set(m[1]!, { value, line: i + 1 });
  });
  return vars;
}

function envFinding(rule: string, severity: AuditFinding['severity'], file: string, message: string, line?: number, detail = ''): AuditFinding {
  return { category: 'env', rule, severity, file, ...(line ? { line } : {}), message, fingerprint: fingerprint(rule, file, detail) };
}

/**
 * The .env hygiene checks: permissions, whether git keeps them out, and whether .env.example
 * documents every variable the code reads or a .env sets (names only; values are never reported).
 */
export async function auditEnv(listing: RepoListing, signal?: AbortSignal): Promise<AuditFinding[]> {
  const findings: AuditFinding[] = [];
  const envFiles = listing.files.filter((f) => ENV_FILE.test(f.path) && !EXAMPLE_FILE.test(f.path));
  const examples = listing.files.filter((f) => EXAMPLE_FILE.test(f.path));

  const used = new Map<string, { file: string; line: number }>();
  for (const f of listing.files) {
    if (signal?.aborted) return findings;
    if (f.ignored || !CODE_FILE.test(f.path)) continue;
    const text = await readText(f);
    if (text === undefined) continue;
    for (const re of USES) {
      for (const m of text.matchAll(re)) {
        if (!used.has(m[1]!) && !AMBIENT.has(m[1]!)) used.set(m[1]!, { file: f.path, line: text.slice(0, m.index).split('\n').length });
      }
    }
  }

  const set = new Map<string, { file: RepoFile; value: string; line: number }>();
  for (const f of envFiles) {
    const others = f.mode & 0o004;
    const group = f.mode & 0o040;
    if (others) findings.push(envFinding('env-file-world-readable', 'high', f.path, `${f.path} is readable by every user on the machine (mode ${f.mode.toString(8)}); chmod 600 it`, undefined, String(f.mode)));
    else if (group) findings.push(envFinding('env-file-group-readable', 'medium', f.path, `${f.path} is readable by its group (mode ${f.mode.toString(8)}); chmod 600 it`, undefined, String(f.mode)));
    if (f.tracked) findings.push(envFinding('env-file-tracked', 'high', f.path, `${f.path} is committed to git: remove it (git rm --cached), rotate what it held, and add it to .gitignore`));
    else if (!f.ignored) findings.push(envFinding('env-file-not-ignored', 'medium', f.path, `${f.path} is not covered by .gitignore; one "git add ." away from a commit`));
    const text = await readText(f);
    if (text === undefined) continue;
    for (const [name, v] of parseDotenv(text)) {
      if (!set.has(name)) set.set(name, { file: f, ...v });
      if (v.value === '' && used.has(name)) {
        findings.push(envFinding('env-empty-required', 'medium', f.path, `${name} is empty in ${f.path} but the code reads it (${used.get(name)!.file})`, v.line, name));
      }
    }
  }

  const documented = new Set<string>();
  for (const f of examples) {
    const text = await readText(f);
    if (text !== undefined) for (const name of parseDotenv(text).keys()) documented.add(name);
  }
  const exampleName = examples[0]?.path ?? '.env.example';
  const missing = new Map<string, { file: string; line: number; how: string }>();
  for (const [name, at] of used) missing.set(name, { ...at, how: 'used in code' });
  for (const [name, at] of set) if (!missing.has(name)) missing.set(name, { file: at.file.path, line: at.line, how: 'set in ' + at.file.path });
  for (const [name, at] of [...missing].sort(([a], [b]) => a.localeCompare(b))) {
    if (documented.has(name)) continue;
    const suffix = examples.length ? '' : ' (there is no .env.example)';
    findings.push(envFinding('env-missing-from-example', 'low', at.file, `${name} (${at.how}) is missing from ${exampleName}${suffix}`, at.line, name));
  }
  return findings;
}
