-- Tenant leaks: cross_tenant_reference. An object in one tenant (a view or materialized view through its
-- rewrite rule, a function, a trigger, a foreign key, a column default, a policy) that depends on an object of
-- another tenant, read from pg_depend (the server's own dependency graph), never from text search.
-- Every dependent/referenced object is mapped to its schema; rows whose two schemas are different tenants
-- are the leaks. Reported on the tenant owning the dependent object.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_references [--param NAME=VALUE …] | psql URL
WITH
-- @include tenant_scope
,
obj AS (
  -- every object of a tenant schema that can depend or be depended on, with its schema (labels come later,
  -- for the few that leak)
  SELECT 'pg_class'::regclass AS classid, c.oid AS objid, c.relnamespace AS ns
  FROM pg_catalog.pg_class c WHERE c.relnamespace IN (SELECT oid FROM tenants)
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid, p.pronamespace
  FROM pg_catalog.pg_proc p WHERE p.pronamespace IN (SELECT oid FROM tenants)
  UNION ALL
  SELECT 'pg_type'::regclass, ty.oid, ty.typnamespace
  FROM pg_catalog.pg_type ty WHERE ty.typnamespace IN (SELECT oid FROM tenants)
  UNION ALL
  SELECT 'pg_constraint'::regclass, con.oid, con.connamespace
  FROM pg_catalog.pg_constraint con WHERE con.connamespace IN (SELECT oid FROM tenants)
  UNION ALL
  SELECT 'pg_rewrite'::regclass, rw.oid, c.relnamespace
  FROM pg_catalog.pg_rewrite rw JOIN pg_catalog.pg_class c ON c.oid = rw.ev_class
  WHERE c.relnamespace IN (SELECT oid FROM tenants)
  UNION ALL
  SELECT 'pg_trigger'::regclass, tg.oid, c.relnamespace
  FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
  WHERE c.relnamespace IN (SELECT oid FROM tenants)
  UNION ALL
  SELECT 'pg_attrdef'::regclass, ad.oid, c.relnamespace
  FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid
  WHERE c.relnamespace IN (SELECT oid FROM tenants)
  UNION ALL
  SELECT 'pg_policy'::regclass, pol.oid, c.relnamespace
  FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
  WHERE c.relnamespace IN (SELECT oid FROM tenants)
),
leak AS (
  -- one row per dependent object and foreign tenant; column-level dependencies fold into their table
  SELECT a.ns AS from_ns, b.ns AS to_ns, d.classid, d.objid,
         string_agg(DISTINCT pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0), ', ') AS targets
  FROM pg_catalog.pg_depend d
  JOIN obj a ON a.classid = d.classid AND a.objid = d.objid
  JOIN obj b ON b.classid = d.refclassid AND b.objid = d.refobjid
  -- the referenced class is filtered on pg_depend (whose statistics the planner knows), not on obj: a
  -- filter on the CTE made the planner expect a few rows and probe pg_depend once per object
  WHERE a.ns <> b.ns AND d.deptype IN ('n', 'a')
    AND d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass)
    -- a constraint, column default, trigger, policy or rule depends 'a'uto on the table it belongs to,
    -- which is always in its own schema: half of all dependencies at 10,000 tenants, none a leak
    AND NOT (d.deptype = 'a' AND d.classid IN ('pg_constraint'::regclass, 'pg_attrdef'::regclass, 'pg_trigger'::regclass, 'pg_policy'::regclass, 'pg_rewrite'::regclass))
  GROUP BY a.ns, b.ns, d.classid, d.objid
)
SELECT ta.tenant, 'cross_tenant_reference' AS kind,
       -- a label relative to the tenant: view, table.constraint, table.trigger, function(args), …
       CASE l.classid
         WHEN 'pg_class'::regclass THEN (SELECT c.relname::text FROM pg_catalog.pg_class c WHERE c.oid = l.objid)
         WHEN 'pg_rewrite'::regclass THEN (SELECT c.relname::text FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class WHERE r.oid = l.objid)
         WHEN 'pg_proc'::regclass THEN (SELECT p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' FROM pg_catalog.pg_proc p WHERE p.oid = l.objid)
         WHEN 'pg_type'::regclass THEN (SELECT ty.typname::text FROM pg_catalog.pg_type ty WHERE ty.oid = l.objid)
         WHEN 'pg_constraint'::regclass THEN (SELECT coalesce(c.relname || '.', '') || con.conname FROM pg_catalog.pg_constraint con LEFT JOIN pg_catalog.pg_class c ON c.oid = con.conrelid WHERE con.oid = l.objid)
         WHEN 'pg_trigger'::regclass THEN (SELECT c.relname || '.' || tg.tgname FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid WHERE tg.oid = l.objid)
         WHEN 'pg_attrdef'::regclass THEN (SELECT c.relname || '.' || a.attname || ' default' FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum WHERE ad.oid = l.objid)
         WHEN 'pg_policy'::regclass THEN (SELECT c.relname || '.' || pol.polname FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid WHERE pol.oid = l.objid)
       END AS object,
       format('%s depends on %s of tenant %s', pg_catalog.pg_describe_object(l.classid, l.objid, 0), l.targets,
              quote_ident(tb.tenant)) AS detail,
       'critical' AS severity,
       CASE WHEN l.classid = 'pg_constraint'::regclass
            THEN (SELECT format('ALTER TABLE %I.%I DROP CONSTRAINT %I;', ta.tenant, c.relname, con.conname)
                    FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
                   WHERE con.oid = l.objid AND con.contype = 'f') END AS fix_sql
FROM leak l
JOIN tenants ta ON ta.oid = l.from_ns
JOIN tenants tb ON tb.oid = l.to_ns
ORDER BY 1, 3, 4;
