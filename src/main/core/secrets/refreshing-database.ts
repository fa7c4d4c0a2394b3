import type pg from 'pg';
import type { Credential, Target } from '../db/connection';
import { Database, type QueryOptions } from '../db/database';

/** 28P01 invalid_password, 28000 invalid_authorization_specification (pg_hba, or the user no longer exists). */
export function isAuthFailure(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '28P01' || code === '28000';
}

/**
 * A Database whose credential comes from Secrets Manager: on an authentication failure it asks for
 * a fresh credential at once (the secret may have been rotated) and retries the query once.
 * Its credential and target objects are its own, so an update swaps them and reopens the pools.
 */
export class RefreshingDatabase extends Database {
  constructor(
    target: Target,
    private readonly cred: Credential,
    private readonly refresh: () => Promise<{ target: Target; password?: string } | undefined>,
  ) {
    super({ ...target }, cred);
  }

  /** Use a new credential (and target) from now on; open connections are closed once idle. */
  async update(target: Target, password: string | undefined): Promise<void> {
    const same = this.cred.password === password && JSON.stringify(this.target) === JSON.stringify(target);
    if (same) return;
    Object.assign(this.target, target);
    if (!target.params) delete this.target.params;
    if (password === undefined) delete this.cred.password;
    else this.cred.password = password;
    await this.close();
  }

  override async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = [], opts: QueryOptions = {}): Promise<pg.QueryResult<R>> {
    try {
      return await super.query<R>(text, params, opts);
    } catch (err) {
      if (!isAuthFailure(err)) throw err;
      const next = await this.refresh().catch(() => undefined);
      if (!next) throw err;
      await this.update(next.target, next.password);
      return super.query<R>(text, params, opts);
    }
  }
}
