import { join } from 'node:path';
import { z } from 'zod';
import { Environment, SslMode } from '../../../shared/domain/connections';
import { SecretRef } from '../../../shared/domain/secrets';
import { readJson, writeJsonAtomic } from '../store/files';

export const StoredProfile = z.object({
  id: z.string(),
  name: z.string(),
  environment: Environment,
  host: z.string(),
  port: z.number().int(),
  database: z.string(),
  user: z.string(),
  sslmode: SslMode,
  params: z.record(z.string(), z.string()).optional(),
  tenantPattern: z.string(),
  passwordStored: z.boolean(),
  /** Credential (and target) from AWS Secrets Manager; host etc. above are the last known values. */
  secret: SecretRef.optional(),
});
export type StoredProfile = z.infer<typeof StoredProfile>;

export const Settings = z.object({
  version: z.literal(1),
  profiles: z.array(StoredProfile),
  activeId: z.string().nullable(),
});
export type Settings = z.infer<typeof Settings>;

const EMPTY: Settings = { version: 1, profiles: [], activeId: null };

/** settings.json in the app data directory, written atomically. Holds no password. */
export class SettingsStore {
  readonly file: string;
  constructor(home: string) {
    this.file = join(home, 'settings.json');
  }
  read(): Promise<Settings> {
    return readJson(this.file, Settings, structuredClone(EMPTY));
  }
  write(settings: Settings): Promise<void> {
    return writeJsonAtomic(this.file, settings);
  }
}
