/** The restore dialog's default names come from the core: the contract call answers with naming.ts's rule. */
import { describe, expect, it } from 'vitest';
import { restoreNames as names, utf8Bytes } from '../../src/main/core/backup/naming';
import { backupsContract } from '../../src/shared/domain/backups';

// What the contract call answers (its handler delegates to BackupService.restoreNames, which is this).
const restoreNames = async (input: unknown) => names(backupsContract['backups.restoreNames'].input.parse(input));

describe('backups.restoreNames', () => {
  it('names the side schema <tenant>__restored_<yyyymmdd_hhmm> and the new database <db>_restored_<stamp>', async () => {
    const r = await restoreNames({ tenant: 'org_acme', database: 'podcastflow' });
    expect(r.sideSchema).toMatch(/^org_acme__restored_\d{8}_\d{4}$/);
    expect(r.database).toMatch(/^podcastflow_restored_\d{8}_\d{4}$/);
  });

  it('cuts a long multi-byte tenant to 63 bytes of UTF-8 with a hash, as a restore does (the renderer counted characters)', async () => {
    const tenant = 'org_' + 'é'.repeat(29); // 62 bytes, 33 characters
    const { sideSchema } = await restoreNames({ tenant });
    expect(utf8Bytes(sideSchema!)).toBeLessThanOrEqual(63);
    expect(sideSchema).toMatch(/^org_é+_[0-9a-f]{6}__restored_\d{8}_\d{4}$/);
  });

  it('answers only for what it was asked', async () => {
    expect(await restoreNames({})).toEqual({});
  });
});
