import { z } from 'zod';
import { WireError } from '../errors';
import { PasswordSource, SslMode } from '../vocabulary';
import { SecretRef } from './secrets';

export { PasswordSource, SslMode };

export const Environment = z.enum(['production', 'staging', 'development']);
export type Environment = z.infer<typeof Environment>;

/** Where the active credential came from and why, in words ("Secrets Manager podcastflow/database, version …"). */
export const CredentialNote = z.object({ detail: z.string(), warning: z.string().optional() });

const identifierish = z.string().trim().min(1).max(255);

/** What every connection profile has, stored or shown. */
export const ProfileCore = z.object({
  id: z.string(),
  name: z.string(),
  environment: Environment,
  host: z.string(),
  port: z.number().int(),
  database: z.string(),
  user: z.string(),
  sslmode: SslMode,
  tenantPattern: z.string(),
  /** The AWS Secrets Manager secret the credential (and host, port, database, user) comes from. */
  secret: SecretRef.optional(),
});

/** A profile as the renderer sees it: no password, only where one comes from. */
export const ProfileView = ProfileCore.extend({
  passwordSource: PasswordSource,
  isDemo: z.boolean(),
  credential: CredentialNote.optional(),
});
export type ProfileView = z.infer<typeof ProfileView>;

/** Create or edit a profile: either a libpq URL or fields. A password is write-only. */
export const ProfileInput = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,64}$/).optional(),
    name: z.string().trim().min(1, 'Give the connection a name.').max(80),
    environment: Environment,
    url: z.string().trim().max(2000).optional(),
    host: z.string().trim().max(255).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: identifierish.optional(),
    user: identifierish.optional(),
    sslmode: SslMode.optional(),
    tenantPattern: z.string().trim().min(1).max(63).optional(),
    password: z.string().max(1000).optional(),
    savePassword: z.boolean().default(false),
    /** Take the credential from AWS Secrets Manager ({ "url" } or the RDS shape) instead. */
    secret: SecretRef.optional(),
    /**
     * Whether saving makes this the active connection: true does, false keeps the active one as it is
     * (the Settings form activates only after a successful test); left out, the first saved one becomes active.
     */
    activate: z.boolean().optional(),
  })
  .strict()
  .refine((p) => Boolean(p.url) || Boolean(p.host) || Boolean(p.secret), {
    message: 'Give a connection URL, a host, or a Secrets Manager secret id.',
    path: ['host'],
  });
export type ProfileInput = z.input<typeof ProfileInput>;

export const ConnectionTest = z.object({
  ok: z.boolean(),
  latencyMs: z.number().optional(),
  serverVersion: z.string().optional(),
  ssl: z.boolean().optional(),
  passwordSource: PasswordSource.optional(),
  credential: CredentialNote.optional(),
  error: WireError.optional(),
});

export type ConnectionTestResult = z.infer<typeof ConnectionTest>;

export const connectionsContract = {
  'connections.list': {
    input: z.object({}).strict(),
    output: z.object({ profiles: z.array(ProfileView), activeId: z.string().nullable() }),
  },
  'connections.save': {
    input: ProfileInput,
    output: z.object({ profile: ProfileView, note: z.string().optional() }),
  },
  'connections.delete': {
    // On production the caller must type the database name.
    input: z.object({ id: z.string(), confirm: z.string().max(255).optional() }).strict(),
    output: z.object({ deleted: z.boolean() }),
  },
  'connections.test': {
    input: z.object({ id: z.string() }).strict(),
    output: ConnectionTest,
  },
  /** Test settings before saving them (the form's Test button); nothing is stored. With an id, a typed-less password comes from that profile. */
  'connections.testDraft': {
    input: ProfileInput,
    output: ConnectionTest,
  },
  'connections.activate': {
    input: z.object({ id: z.string() }).strict(),
    output: z.object({ activeId: z.string() }),
  },
} as const;
