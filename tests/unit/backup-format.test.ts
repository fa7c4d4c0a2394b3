import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRetention } from '../../src/main/core/backup/catalog';
import { canonicalJson, encryptBuffer, hmacMatches, keyIdOf, signManifestBody } from '../../src/main/core/backup/crypto';
import { loadKeyFile } from '../../src/main/core/backup/keys';
import { backupName, likeToDumpPattern, sideSchemaName } from '../../src/main/core/backup/naming';
import { rewriteSearchPath, tocLinesForSchema } from '../../src/main/core/backup/restore';
import type { CatalogEntry } from '../../src/shared/domain/backups';

describe('backup format', () => {
  it('encrypts in the Salted__ format stock openssl decrypts (PBKDF2-HMAC-SHA256)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfo-enc-'));
    try {
      const pass = 'correct horse battery staple 42';
      writeFileSync(join(dir, 'k'), pass + '\n', { mode: 0o600 });
      const data = Buffer.from('x'.repeat(100_000) + 'tail');
      const enc = await encryptBuffer(data, pass, 1000);
      expect(enc.subarray(0, 8).toString('latin1')).toBe('Salted__');
      writeFileSync(join(dir, 'e'), enc);
      const out = execFileSync('openssl', ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-md', 'sha256', '-iter', '1000', '-pass', `file:${join(dir, 'k')}`, '-in', join(dir, 'e')]);
      expect(out.equals(data)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes from a key file exactly the passphrase stock openssl takes (-pass file:), and refuses a CRLF key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfo-pass-'));
    try {
      const contents = ['pässwörd with spaces inside 123\n', 'no-newline-at-all-passphrase-1', 'first-line-passphrase-12345\nsecond line\n', '  leading-spaces-passphrase-1\n\n'];
      for (const [i, text] of contents.entries()) {
        const file = join(dir, `k${i}`);
        writeFileSync(file, text, { mode: 0o600 });
        const key = await loadKeyFile(file);
        writeFileSync(join(dir, 'e'), await encryptBuffer(Buffer.from(`data ${i}`), key.passphrase, 1000));
        const out = execFileSync('openssl', ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-md', 'sha256', '-iter', '1000', '-pass', `file:${file}`, '-in', join(dir, 'e')]);
        expect(out.toString()).toBe(`data ${i}`);
      }
      // openssl keeps the \r of a CRLF line: such a key is refused, with the fix.
      for (const text of ['windows-line-end-passphrase-1\r\n', 'trailing-space-passphrase-12 \n']) {
        const file = join(dir, 'bad');
        writeFileSync(file, text, { mode: 0o600 });
        const err = (await loadKeyFile(file).catch((e: unknown) => e)) as { code: string; hint: string };
        expect(err.code).toBe('key_trailing_whitespace');
        expect(err.hint).toContain(`sed -i 's/\\r$//' '${file}'`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signs manifests independently of key order, and a changed value or key fails', () => {
    const body = { b: 1, a: { y: [1, 2], x: 'z' } };
    const mac = signManifestBody(body, 'passphrase-one-123');
    expect(hmacMatches({ a: { x: 'z', y: [1, 2] }, b: 1 }, mac, 'passphrase-one-123')).toBe(true);
    expect(hmacMatches({ ...body, b: 2 }, mac, 'passphrase-one-123')).toBe(false);
    expect(hmacMatches(body, mac, 'passphrase-two-456')).toBe(false);
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(keyIdOf('passphrase-one-123')).toMatch(/^k_[0-9a-f]{16}$/);
    expect(keyIdOf('passphrase-one-123')).not.toContain('passphrase');
  });

  it('names', () => {
    expect(likeToDumpPattern('org_%')).toBe('"org"?*');
    expect(likeToDumpPattern('org\\_%')).toBe('"org_"*');
    expect(likeToDumpPattern('Tenant"x%')).toBe('"Tenant""x"*');
    expect(sideSchemaName('org_acme', new Date('2026-11-25T09:05:00Z'))).toBe('org_acme__restored_20261125_0905');
    expect(Buffer.byteLength(sideSchemaName('ö'.repeat(63)))).toBeLessThanOrEqual(63);
    expect(backupName('tenant', 'org/../x', new Date('2026-11-25T09:05:07Z'))).toMatch(/^20261125T090507Z_tenant_org____x-[0-9a-f]{4}$/);
  });

  it('selects one schema from a pg_restore TOC, with its CREATE SCHEMA and grants', () => {
    const toc = [
      '; Archive created at 2026-11-25',
      '5; 2615 16385 SCHEMA - org_a postgres',
      '6; 2615 16386 SCHEMA - org_ab postgres',
      '3390; 0 0 ACL - SCHEMA org_a postgres',
      '220; 1259 16390 TABLE org_a shows podcastflow_app',
      '221; 1259 16391 TABLE org_ab shows podcastflow_app',
      '3300; 0 16390 TABLE DATA org_a shows podcastflow_app',
      '3391; 0 0 ACL org_a TABLE shows podcastflow_app',
      '3000; 2606 16400 CONSTRAINT org_a shows shows_pkey podcastflow_app',
    ].join('\n');
    const lines = tocLinesForSchema(toc, 'org_a').trim().split('\n');
    expect(lines.map((l) => l.split(';')[0])).toEqual(['5', '3390', '220', '3300', '3391', '3000']);
  });

  it('rewrites a pinned search_path to the side schema', () => {
    expect(rewriteSearchPath('pg_catalog, org_a', 'org_a', 'org_a__restored_x')).toBe('"pg_catalog", "org_a__restored_x"');
    expect(rewriteSearchPath('"$user", public', 'org_a', 'b')).toBe('"$user", "public"');
  });

  it('retention keeps the last N per kind and tenant and never a tenant\'s newest verified backup', () => {
    const now = Date.parse('2026-11-25T00:00:00Z');
    const e = (id: string, tenant: string, daysAgo: number, verified?: boolean): CatalogEntry => ({
      id,
      kind: 'tenant',
      tenant,
      database: 'db',
      finishedAt: new Date(now - daysAgo * 86_400_000).toISOString(),
      ageSec: daysAgo * 86_400,
      bytes: 10,
      keyId: 'k_1',
      location: id,
      manifest: id,
      ...(verified !== undefined ? { verified: { ok: verified, at: '2026-11-01T00:00:00Z' } } : {}),
    });
    const entries = [e('a1', 'org_a', 1), e('a2', 'org_a', 2), e('a3', 'org_a', 3, true), e('a4', 'org_a', 4, true), e('b1', 'org_b', 10)];
    const plan = planRetention(entries, { keepLast: 1 }, true, now);
    expect(plan.delete.map((d) => d.id).sort()).toEqual(['a2', 'a4']);
    expect(plan.keep.find((k) => k.id === 'a3')?.reason).toMatch(/newest verified/);
    expect(plan.keep.find((k) => k.id === 'b1')).toBeDefined();
    expect(() => planRetention(entries, {}, true, now)).toThrow(/keep-last/);
  });
});
