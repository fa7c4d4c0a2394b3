import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';
import type { AuditFinding } from '../../../shared/domain/secrets';
import { OpsError } from '../util/errors';
import { BASELINE_FILE, readBaseline } from './baseline';
import { allowedInline, GITLEAKS_IGNORE_FILE, ignoredByGitleaks, readGitleaksIgnore } from './gitleaks';
import { fingerprint, mask } from './findings';
import { lineAt, readText, type RepoListing } from './files';
import { isDocumentedExample, isPlaceholder, scanText } from './rules';

// The preset's own database-connection-string and private-key rules are replaced by ours, which
// know loopback hosts, placeholders and documented examples.
const config: SecretLintCoreConfig = {
  rules: [
    {
      id: '@secretlint/secretlint-rule-preset-recommend',
      rule: recommended,
      rules: [
        { id: '@secretlint/secretlint-rule-database-connection-string', disabled: true },
        { id: '@secretlint/secretlint-rule-privatekey', disabled: true },
      ],
    },
  ],
};

export interface CodeScanResult {
  findings: AuditFinding[];
  suppressed: number;
  filesScanned: number;
}

export interface ScanProgress {
  signal?: AbortSignal;
  progress?(done: number, total: number): void;
}

// Our own suppression files hold fingerprints and notes, not secrets: never findings themselves.
const SUPPRESSION_FILES = new Set([BASELINE_FILE, GITLEAKS_IGNORE_FILE]);

/**
 * Scan the files git would see (tracked or not ignored) for secrets; masked, fingerprinted, and
 * suppressed by the baseline, `.gitleaksignore` entries and `gitleaks:allow` comments.
 */
export async function scanCode(listing: RepoListing, opts: ScanProgress = {}): Promise<CodeScanResult> {
  const baseline = await readBaseline(listing.root);
  const gitleaksIgnore = await readGitleaksIgnore(listing.root);
  const candidates = listing.files.filter((f) => !f.ignored && !SUPPRESSION_FILES.has(f.path));
  const findings: AuditFinding[] = [];
  let suppressed = 0;
  let filesScanned = 0;
  for (const [i, file] of candidates.entries()) {
    if (opts.signal?.aborted) throw new OpsError('cancelled', 'Cancelled.');
    if (i % 25 === 0) opts.progress?.(i, candidates.length);
    const text = await readText(file);
    if (text === undefined) continue;
    filesScanned++;
    const hits = scanText(text, file.path).map((h) => ({ ...h, source: 'podcastflow' }));
    const ours = hits.map((h) => [h.start, h.end] as const);
    const lint = await lintSource({ source: { content: text, filePath: file.abs, contentType: 'text' }, options: { config, maskSecrets: false } });
    for (const m of lint.messages) {
      const [start, end] = m.range;
      const value = text.slice(start, end);
      // Ours already reported it, or it is an example, placeholder or a URI our rule judged.
      if (ours.some(([s, e]) => start < e && end > s)) continue;
      if (isDocumentedExample(value) || isPlaceholder(value) || /^postgres(ql)?:\/\//i.test(value)) continue;
      const rule = m.ruleId.replace(/^@secretlint\/secretlint-rule-/, 'secretlint/');
      hits.push({ rule, severity: 'high', message: m.message.split(value).join(mask(value)), value, start, end, source: 'secretlint' });
    }
    for (const h of hits) {
      const fp = fingerprint(h.rule, file.path, h.value);
      const line = lineAt(text, h.start);
      if (baseline.has(fp) || ignoredByGitleaks(gitleaksIgnore, file.path, h.rule, line) || allowedInline(text, h.start)) {
        suppressed++;
        continue;
      }
      findings.push({ category: 'code', rule: h.rule, severity: h.severity, file: file.path, line, message: h.message, masked: mask(h.value), fingerprint: fp });
    }
  }
  opts.progress?.(candidates.length, candidates.length);
  return { findings, suppressed, filesScanned };
}
