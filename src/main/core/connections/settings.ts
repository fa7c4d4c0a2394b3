import { join } from 'node:path';
import { z } from 'zod';
import { ProfileCore } from '../../../shared/domain/connections';
import { readJson, writeJsonAtomic } from '../store/files';

/** A profile as settings.json keeps it: never a password, only whether the vault holds one. */
export const StoredProfile = ProfileCore.extend({
  params: z.record(z.string(), z.string()).optional(),
  passwordStored: z.boolean(),
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
