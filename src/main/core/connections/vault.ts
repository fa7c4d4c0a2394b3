import { z } from 'zod';
import { readJson, writeJsonAtomic } from '../store/files';

/** Where saved passwords live. Hosts decide: Electron encrypts with safeStorage, others never persist. */
export interface PasswordVault {
  status(): Promise<{ canPersist: boolean; reason: string }>;
  save(id: string, password: string): Promise<void>;
  load(id: string): Promise<string | undefined>;
  remove(id: string): Promise<void>;
}

/** Browser mode and the CLI: passwords are never written to disk. */
export class NoPersistVault implements PasswordVault {
  async status() {
    return {
      canPersist: false,
      reason: 'Passwords are not saved in browser mode or the CLI. Use ~/.pgpass or PGPASSWORD, or type the password for this session only.',
    };
  }
  async save(): Promise<void> {
    throw new Error('This host does not persist passwords.');
  }
  async load(): Promise<undefined> {
    return undefined;
  }
  async remove(): Promise<void> {}
}

export interface Cipher {
  /** Why persisting is refused, or undefined when it is allowed. */
  refusal(): Promise<string | undefined>;
  encrypt(plain: string): Promise<string>;
  decrypt(cipherText: string): Promise<string>;
}

const VaultFile = z.object({ entries: z.record(z.string(), z.string()) });

/** Stores only ciphertext (base64) from a host-provided cipher, e.g. Electron's safeStorage. */
export class EncryptedFileVault implements PasswordVault {
  constructor(
    private readonly file: string,
    private readonly cipher: Cipher,
  ) {}

  async status() {
    const refusal = await this.cipher.refusal();
    return refusal ? { canPersist: false, reason: refusal } : { canPersist: true, reason: 'Encrypted with the operating system keychain.' };
  }

  private async read() {
    return (await readJson(this.file, VaultFile, { entries: {} })).entries;
  }

  async save(id: string, password: string): Promise<void> {
    const refusal = await this.cipher.refusal();
    if (refusal) throw new Error(refusal);
    const entries = await this.read();
    entries[id] = await this.cipher.encrypt(password);
    await writeJsonAtomic(this.file, { entries });
  }

  async load(id: string): Promise<string | undefined> {
    const entry = (await this.read())[id];
    return entry === undefined ? undefined : this.cipher.decrypt(entry);
  }

  async remove(id: string): Promise<void> {
    const entries = await this.read();
    if (!(id in entries)) return;
    delete entries[id];
    await writeJsonAtomic(this.file, { entries });
  }
}
