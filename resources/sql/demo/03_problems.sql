-- PodcastFlow Pro demo seed, step 3 of 5: functions that plant the demo's problems, one per function.
--
-- Needs 01 and 02. The seed runs them after the tenants are built and the workload has run (so that the
-- planted unused index is never scanned and no read prunes the bloated table), then ANALYZEs. In psql:
--   psql "$URL" -v ON_ERROR_STOP=1 -f 03_problems.sql
--   psql "$URL" -c "SELECT podcastflow_seed.plant_table_bloat('org_acme')"
-- Problem 4 (invalid index) is 04_invalid_index.sql: CREATE INDEX CONCURRENTLY cannot run in a function.
-- Problem 5 (a tenant that missed migration 42) is made when the tenant is built:
--   podcastflow_seed.build_tenant(..., p_with_migration_42 => false, ...).
-- docs/demo-problems.md lists the exact objects.

-- 1. Table bloat: autovacuum off on <schema>.impressions, then ~70% of its rows deleted; the dead tuples stay.
--    Returns the number of rows deleted.
CREATE FUNCTION podcastflow_seed.plant_table_bloat(p_schema text) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
  v_deleted bigint;
BEGIN
  EXECUTE format('ALTER TABLE %I.impressions SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)', p_schema);
  EXECUTE format('DELETE FROM %I.impressions WHERE id %% 10 < 7', p_schema);
  GET DIAGNOSTICS v_deleted = ROW_COUNT;
  RETURN v_deleted;
END
$$;

-- 2. An unused index: nothing in the application filters or sorts impressions by created_at.
CREATE FUNCTION podcastflow_seed.plant_unused_index(p_schema text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE format('CREATE INDEX impressions_created_at_idx ON %I.impressions (created_at)', p_schema);
END
$$;

-- 3. A duplicate index: episodes(show_id) is a leading-column prefix of the existing
--    episodes_show_id_published_at_idx (show_id, published_at), which already serves every show_id lookup.
CREATE FUNCTION podcastflow_seed.plant_duplicate_index(p_schema text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE format('CREATE INDEX episodes_show_id_idx ON %I.episodes (show_id)', p_schema);
END
$$;

-- 6. A cross-tenant grant: the agency's login-less role can read exactly the tenants in p_schemas.
CREATE FUNCTION podcastflow_seed.plant_cross_tenant_grant(p_schemas text[]) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  s text;
BEGIN
  BEGIN
    CREATE ROLE agency_acme NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- roles are cluster-wide: another database's seed made it
  END;
  FOREACH s IN ARRAY p_schemas LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO agency_acme', s);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO agency_acme', s);
  END LOOP;
END
$$;

-- 7. A shared table keyed by organization_id without row-level security: someone switched it off
--    (and dropped the policy) "for a data export" and never switched it back on.
CREATE FUNCTION podcastflow_seed.plant_shared_table_without_rls() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  ALTER TABLE public.usage_events NO FORCE ROW LEVEL SECURITY;
  ALTER TABLE public.usage_events DISABLE ROW LEVEL SECURITY;
  DROP POLICY IF EXISTS usage_events_tenant_isolation ON public.usage_events;
END
$$;

-- 8. An integer sequence near overflow: audit_log.id is int4; its identity sequence is moved to
--    2,000,000,000 of 2,147,483,647 (93%).
CREATE FUNCTION podcastflow_seed.plant_sequence_near_overflow(p_schema text) RETURNS bigint
LANGUAGE plpgsql
AS $$
BEGIN
  RETURN pg_catalog.setval(pg_catalog.pg_get_serial_sequence(format('%I.audit_log', p_schema), 'id'), 2000000000);
END
$$;

-- 9. A SECURITY DEFINER function without a fixed search_path: a hotfix re-created campaign_spend(bigint)
--    without its SET search_path (every other tenant's copy pins pg_catalog, <schema>). Its body uses
--    unqualified table names, so a caller's search_path decides what it reads.
CREATE FUNCTION podcastflow_seed.plant_security_definer_search_path(p_schema text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE format('ALTER FUNCTION %I.campaign_spend(bigint) RESET search_path', p_schema);
END
$$;
