/**
 * Suppressions teams bring from gitleaks: a `.gitleaksignore` at the scanned root (one fingerprint a
 * line, `file:rule-id:line` or `commit:file:rule-id:line`, `#` comments) and `gitleaks:allow` on the
 * line of a finding. We scan the working tree, not history, so a commit-qualified entry applies to the
 * same file, rule and line as it stands now.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const GITLEAKS_IGNORE_FILE = '.gitleaksignore';

// Our rule ids that gitleaks names differently, so its fingerprints for the same leak match ours.
const GITLEAKS_RULE: Record<string, string> = { 'aws-access-key-id': 'aws-access-token' };

/** The entries of .gitleaksignore as `file:rule-id:line` (empty when there is none). */
export async function readGitleaksIgnore(root: string): Promise<Set<string>> {
  const text = await readFile(join(root, GITLEAKS_IGNORE_FILE), 'utf8').catch(() => '');
  const entries = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length < 3 || !/^\d+$/.test(parts.at(-1)!)) continue;
    const [lineNo, rule] = [parts.pop()!, parts.pop()!];
    if (parts.length > 1 && /^[0-9a-f]{7,40}$/i.test(parts[0]!)) parts.shift();
    entries.add(`${parts.join(':').replace(/^\.\//, '')}:${rule}:${lineNo}`);
  }
  return entries;
}

export function ignoredByGitleaks(entries: Set<string>, file: string, rule: string, line: number): boolean {
  const alias = GITLEAKS_RULE[rule];
  return entries.has(`${file}:${rule}:${line}`) || (alias !== undefined && entries.has(`${file}:${alias}:${line}`));
}

/** Whether the line holding `index` carries a `gitleaks:allow` comment. */
export function allowedInline(text: string, index: number): boolean {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).includes('gitleaks:allow');
}
