/** Backup keys from AWS Secrets Manager (the test server speaking AWS JSON 1.1 to the real SDK) and the keyring. */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/main/core/backup/crypto';
import { generateKeyFile, loadAwsSecret, loadKeyring, pickKey } from '../../src/main/core/backup/keys';
import { toWireError } from '../../src/main/core/util/errors';
import { startSecretsManager, useSecretsManagerEnv, type SecretsManagerServer } from '../support/secrets-manager-server';

let sm: SecretsManagerServer;
let restoreEnv: () => void;
let dir: string;

beforeAll(async () => {
  sm = await startSecretsManager();
  restoreEnv = useSecretsManagerEnv(sm.url);
  dir = await mkdtemp(join(tmpdir(), 'pfo-keys-'));
});
afterAll(async () => {
  restoreEnv();
  await sm.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('backup keys', () => {
  it('reads the passphrase from a Secrets Manager secret (plain or JSON) and names it only by its key id', async () => {
    const pass = 'a-long-backup-passphrase-from-aws-0123';
    sm.create('pfo/backup-key', `${pass}\n`);
    sm.create('pfo/backup-key-json', JSON.stringify({ passphrase: pass }));
    const a = await loadAwsSecret('pfo/backup-key');
    const b = await loadAwsSecret('pfo/backup-key-json');
    expect(a.keyId).toBe(keyIdOf(pass));
    expect(b.keyId).toBe(a.keyId);
    expect(sm.calls).toContain('GetSecretValue');
  });

  it('a missing secret is a clear error without secret material', async () => {
    const err = await loadAwsSecret('pfo/nope').catch((e: unknown) => e);
    const wire = toWireError(err);
    expect(wire.code).toBe('key_secret_unavailable');
    expect(wire.message).toContain('pfo/nope');
    expect(wire.hint).toMatch(/GetSecretValue/);
  });

  it('generated keys are 0600 files in a 0700 keyring; after a rotation both stay usable, each by its id', async () => {
    const ring = join(dir, 'ring');
    const k1 = await generateKeyFile(ring);
    const k2 = await generateKeyFile(ring);
    expect(k1.keyId).not.toBe(k2.keyId);
    expect((await stat(ring)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(ring)) expect((await stat(join(ring, f))).mode & 0o777).toBe(0o600);
    const keys = await loadKeyring(ring);
    expect(pickKey(keys, k1.keyId).keyId).toBe(k1.keyId);
    expect(pickKey(keys, k2.keyId).keyId).toBe(k2.keyId);
    expect(() => pickKey(keys, 'k_0000000000000000')).toThrow(/k_0000000000000000/);
  });
});
