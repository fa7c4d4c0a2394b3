/**
 * npm run docs:health — rewrites the generated section of docs/health.md (the list of checks and of
 * thresholds) from the check definitions (src/main/core/health/checks/*.ts). tests/unit/health-defs.test.ts
 * fails when the file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHECKS } from '../src/main/core/health/registry';
import { THRESHOLD_SPECS } from '../src/main/core/health/thresholds';
import type { ThresholdKey, ThresholdSpec } from '../src/main/core/health/types';
import { projectRoot } from '../src/main/core/util/paths';
import { toHuman, unitLabel } from '../src/shared/threshold-units';

export const START = '<!-- generated:checks (npm run docs:health writes this section from src/main/core/health/checks/*.ts; do not edit by hand) -->';
export const END = '<!-- /generated:checks -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const human = (s: ThresholdSpec): string => `${toHuman(s.default, s.unit)} ${unitLabel(s.unit)}`.trim();
/** The stored value, and how the editor shows it where that differs. */
const stored = (s: ThresholdSpec): string => (human(s) === String(s.default) ? String(s.default) : `${s.default} (${human(s)})`);

/** The generated Markdown, from the definitions. */
export function checksSection(): string {
  const checks = CHECKS.map((c) => {
    const thresholds = (Object.entries(c.thresholds) as [ThresholdKey, ThresholdSpec][]).map(([k, s]) => `\`${k}\` ${human(s)}`).join(', ');
    const files = c.sql.map((s) => `\`${s.file}.sql\``);
    const sql = files.length > 3 ? `${files[0]} and ${files.length - 1} more` : files.join(', ');
    const history = Object.keys(c.history ?? {}).map((k) => `\`${k}\``).join(', ');
    return `| \`${c.id}\` | ${cell(c.docs)} | ${c.heavy ? 'heavy' : 'cheap'}${c.critical ? ', critical' : ''} | ${thresholds} | ${sql} | ${history} |`;
  });
  const users = (key: ThresholdKey): string => CHECKS.filter((c) => key in c.thresholds).map((c) => `\`${c.id}\``).join(', ') || 'the suite';
  const thresholds = (Object.entries(THRESHOLD_SPECS) as [ThresholdKey, ThresholdSpec][]).map(([k, s]) => `| \`${k}\` | ${s.unit} | ${stored(s)} | ${cell(s.doc)} | ${users(k)} |`);
  return [
    START,
    '',
    '| id | what it reports | cadence | thresholds (default) | SQL (`resources/sql/`) | history |',
    '|---|---|---|---|---|---|',
    ...checks,
    '',
    'Cadence: the sampler runs the cheap checks every `cheapIntervalSec`, the heavy ones every `heavyIntervalSec`; a',
    'critical check that fails makes the database **unhealthy**. History: the figures each check adds to',
    '`history/*.jsonl` (besides `ms.<id>`, every check\'s duration).',
    '',
    '| threshold | stored as | default | meaning | used by |',
    '|---|---|---|---|---|',
    ...thresholds,
    '',
    END,
  ].join('\n');
}

/** docs/health.md with its generated section replaced (it must have one). */
export function withChecksSection(md: string): string {
  const a = md.indexOf(START);
  const b = md.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/health.md has no section between "${START}" and "${END}".`);
  return md.slice(0, a) + checksSection() + md.slice(b + END.length);
}

export const DOC = (): string => join(projectRoot(), 'docs', 'health.md');

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const before = readFileSync(DOC(), 'utf8');
  const after = withChecksSection(before);
  if (after !== before) writeFileSync(DOC(), after);
  process.stdout.write(after === before ? 'docs/health.md is up to date.\n' : 'docs/health.md: the list of checks rewritten.\n');
}
