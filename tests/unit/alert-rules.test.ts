import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../deploy/prometheus');
const promtool = (...args: string[]) => execFileSync('promtool', args, { cwd: DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('shipped alert rules (deploy/prometheus)', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: 13 rules found/);
  });
  it('pass their unit tests (promtool test rules)', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toMatch(/SUCCESS/);
  });
  it('and those tests catch a broken rule (the backup-failed alert looking at the wrong value)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pfo-rules-'));
    try {
      writeFileSync(join(tmp, 'alerts.yml'), readFileSync(join(DIR, 'alerts.yml'), 'utf8').replace('expr: pfops_backup_last_success == 0', 'expr: pfops_backup_last_success == 1'));
      copyFileSync(join(DIR, 'alerts.test.yml'), join(tmp, 'alerts.test.yml'));
      expect(() => execFileSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: tmp, stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
