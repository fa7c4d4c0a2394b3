/**
 * Plants one violation of every kind of DESIGN §3 into a seeded demo database (after seeding), in tenants
 * with hostile names, and says what verification must report. Used by tenants.test.ts.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { resourcePath } from '../../src/main/core/util/paths';

const q = pg.escapeIdentifier;

/** Hostile tenant names: a double quote and a semicolon, a space, unicode, and exactly 63 bytes. */
export const HOSTILE = {
  quoted: 'org_"quo;ted',
  space: 'org_with space',
  unicode: 'org_ünïcødé_租户',
  long: 'org_' + 'x'.repeat(59),
} as const;

/** A restored copy as a restore leaves it (<tenant>__restored_<stamp>): it matches org_% but is no tenant. */
export const SIDE = 'org_copy__restored_20260101_0930';
/** A role granted in every tenant but one: platform-wide, so one drift finding on the one that lacks it. */
export const PLATFORM_ROLE = 'pfo_test_reporting';

export interface Expected {
  tenant: string | null;
  kind: string;
  object?: string;
}

/** Builds the hostile tenants with the seed's own DDL (resources/sql/demo/02_tenant.sql), then plants. */
export async function plantEveryKind(url: string, plain: string[]): Promise<Expected[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE SCHEMA podcastflow_seed');
    await client.query(readFileSync(resourcePath('sql', 'demo', '02_tenant.sql'), 'utf8'));
    for (const name of Object.values(HOSTILE)) {
      await client.query('SELECT podcastflow_seed.create_tenant($1)', [name]);
      await client.query(`GRANT USAGE ON SCHEMA ${q(name)} TO podcastflow_readonly`);
    }
    // The side schema: a full tenant shape with drift and a duplicate index, which would all be findings if
    // it were taken for a tenant.
    await client.query('SELECT podcastflow_seed.create_tenant($1)', [SIDE]);
    await client.query('DROP SCHEMA podcastflow_seed CASCADE');
    await client.query(`DROP TABLE ${q(SIDE)}.audit_log`);
    await client.query(`CREATE INDEX side_dup_a ON ${q(SIDE)}.shows (slug); CREATE INDEX side_dup_b ON ${q(SIDE)}.shows (slug)`);
    const [a, b, c, d, e] = plain as [string, string, string, string, string];
    const { quoted, space, unicode, long } = HOSTILE;
    const sql = [
      // drift
      `DROP TABLE ${q(quoted)}.audit_log`,
      // objects created as the tenants' owner, so that each planted problem is of one kind only
      'SET ROLE podcastflow_app',
      `CREATE TABLE ${q(space)}.scratch_copy (id int)`,
      'RESET ROLE',
      `ALTER TABLE ${q(unicode)}.shows DROP COLUMN category`,
      `ALTER TABLE ${q(long)}.shows ALTER COLUMN title TYPE text`,
      `ALTER TABLE ${q(a)}.episodes ALTER COLUMN title DROP NOT NULL`,
      `DROP INDEX ${q(quoted)}.impressions_occurred_at_idx`,
      // an index renamed in one tenant is not missing (compared by definition)
      `ALTER INDEX ${q(b)}.audit_log_created_at_idx RENAME TO audit_created_renamed`,
      `CREATE INDEX bad_idx ON ${q(space)}.shows (slug)`,
      `UPDATE pg_index SET indisvalid = false WHERE indexrelid = ${pg.escapeLiteral(`${q(space)}.bad_idx`)}::regclass`,
      // leaks
      `DO $$ BEGIN CREATE ROLE pfo_test_auditor NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      `GRANT USAGE ON SCHEMA ${q(quoted)} TO pfo_test_auditor`,
      `GRANT SELECT ON ${q(unicode)}.invoices TO pfo_test_auditor`,
      `GRANT SELECT ON ${q(c)}.invoices TO PUBLIC`,
      'SET ROLE podcastflow_app',
      `CREATE VIEW ${q(quoted)}.peek AS SELECT id, title FROM ${q(d)}.shows`,
      'RESET ROLE',
      `ALTER TABLE ${q(long)}.members ADD CONSTRAINT members_cross_fk FOREIGN KEY (user_id) REFERENCES ${q(e)}.members (id)`,
      `CREATE TABLE public.tenant_notes (tenant_id bigint, note text)`,
      'SET ROLE podcastflow_app',
      `CREATE FUNCTION ${q(unicode)}.whoami() RETURNS text LANGUAGE sql SECURITY DEFINER AS 'SELECT current_user::text'`,
      `REVOKE ALL ON FUNCTION ${q(unicode)}.whoami() FROM PUBLIC`,
      'RESET ROLE',
      `ALTER TABLE ${q(space)}.members OWNER TO postgres`,
      // a platform role in every tenant but `a` (and not in the side schema, which is no tenant)
      `DO $$ BEGIN CREATE ROLE ${PLATFORM_ROLE} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      `DO $$ DECLARE s text; BEGIN
         FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 'org\\_%' AND nspname <> ${pg.escapeLiteral(a)} AND nspname <> ${pg.escapeLiteral(SIDE)} LOOP
           EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${PLATFORM_ROLE}', s);
         END LOOP; END $$`,
    ];
    for (const s of sql) await client.query(s);
    return [
      { tenant: quoted, kind: 'missing_table', object: 'audit_log' },
      { tenant: space, kind: 'extra_table', object: 'scratch_copy' },
      { tenant: unicode, kind: 'missing_column', object: 'shows.category' },
      { tenant: long, kind: 'type_mismatch', object: 'shows.title' },
      { tenant: a, kind: 'type_mismatch', object: 'episodes.title' },
      { tenant: quoted, kind: 'missing_index', object: 'impressions.impressions_occurred_at_idx' },
      { tenant: space, kind: 'invalid_index', object: 'shows.bad_idx' },
      { tenant: quoted, kind: 'cross_tenant_grant', object: 'pfo_test_auditor' },
      { tenant: unicode, kind: 'cross_tenant_grant', object: 'pfo_test_auditor' },
      { tenant: c, kind: 'public_privilege', object: 'invoices' },
      { tenant: quoted, kind: "cross_tenant_reference", object: "peek" },
      { tenant: long, kind: "cross_tenant_reference", object: "members.members_cross_fk" },
      { tenant: null, kind: 'shared_table_without_rls', object: 'public.tenant_notes' },
      { tenant: unicode, kind: 'security_definer_search_path', object: "whoami()" },
      { tenant: space, kind: 'unexpected_owner', object: 'members' },
      { tenant: a, kind: 'missing_platform_grant', object: PLATFORM_ROLE },
    ];
  } finally {
    await client.end();
  }
}
