-- Tenant leaks: cross_tenant_reference. An object in one tenant (a view or materialized view through its
-- rewrite rule, a function, a trigger, a foreign key, a column default, a policy, a partition) that depends on
-- an object of another tenant, read from the server's own catalogs (pg_depend; foreign keys from pg_constraint,
-- partitions and child tables from pg_inherits), never from text search.
-- Every dependent/referenced object is mapped to its schema; rows whose two schemas are different tenants
-- are the leaks. Reported on the tenant owning the dependent object.
-- @param $1 pattern text = 'org_%': tenant schema pattern (LIKE)
-- @param $2 tenants text[] = NULL: explicit tenant list (NULL: use the pattern)
-- @param $3 template text = NULL: template schema, the reference (NULL: the majority shape)
-- Run it in psql: podcastflow-ops sql print tenants_references [--param NAME=VALUE …] | psql URL
WITH
-- @include tenant_scope
,
dep AS (
  -- the dependencies that can cross schemas, mapped to the schema of each side. Left out of pg_depend, because
  -- they are read more cheaply from their own catalogs below or can never cross: a constraint's, column
  -- default's, trigger's, policy's or rule's 'a'uto dependency on its own table; every constraint's
  -- dependency on a table (a foreign key's on the table and index it references: fk below); a table's 'a'uto
  -- dependency on a table (an index or an owned sequence, always in their table's schema, or a partition on
  -- its parent: part below). What is left is small (views, functions, defaults, column types, policies),
  -- so each side's schema is one index lookup.
  SELECT x.classid, x.objid, x.refclassid, x.refobjid, x.from_ns,
         CASE x.refclassid
           WHEN 'pg_class'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid = x.refobjid)
           WHEN 'pg_proc'::regclass THEN (SELECT p.pronamespace FROM pg_catalog.pg_proc p WHERE p.oid = x.refobjid)
           WHEN 'pg_type'::regclass THEN (SELECT ty.typnamespace FROM pg_catalog.pg_type ty WHERE ty.oid = x.refobjid)
         END AS to_ns
  FROM (SELECT d.classid, d.objid, d.refclassid, d.refobjid,
               CASE d.classid
                 WHEN 'pg_class'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid = d.objid)
                 WHEN 'pg_proc'::regclass THEN (SELECT p.pronamespace FROM pg_catalog.pg_proc p WHERE p.oid = d.objid)
                 WHEN 'pg_type'::regclass THEN (SELECT ty.typnamespace FROM pg_catalog.pg_type ty WHERE ty.oid = d.objid)
                 WHEN 'pg_constraint'::regclass THEN (SELECT con.connamespace FROM pg_catalog.pg_constraint con WHERE con.oid = d.objid)
                 WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_rewrite rw JOIN pg_catalog.pg_class c ON c.oid = rw.ev_class WHERE rw.oid = d.objid)
                 WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid WHERE tg.oid = d.objid)
                 WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid WHERE ad.oid = d.objid)
                 WHEN 'pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid WHERE pol.oid = d.objid)
               END AS from_ns
          FROM pg_catalog.pg_depend d
         WHERE d.deptype IN ('n', 'a')
           AND d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass)
           AND d.classid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass, 'pg_constraint'::regclass,
                             'pg_rewrite'::regclass, 'pg_trigger'::regclass, 'pg_attrdef'::regclass, 'pg_policy'::regclass)
           AND NOT (d.deptype = 'a' AND d.classid IN ('pg_constraint'::regclass, 'pg_attrdef'::regclass, 'pg_trigger'::regclass, 'pg_policy'::regclass, 'pg_rewrite'::regclass))
           AND NOT (d.classid = 'pg_constraint'::regclass AND d.refclassid = 'pg_class'::regclass)
           AND NOT (d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a')
        OFFSET 0) AS x
  WHERE x.from_ns IN (SELECT oid FROM tenants)
),
crossing AS (
  SELECT dep.from_ns, dep.to_ns, dep.classid, dep.objid, dep.refclassid, dep.refobjid
  FROM dep
  WHERE dep.to_ns <> dep.from_ns
  UNION ALL
  -- a foreign key onto another tenant's table, from pg_constraint itself
  SELECT con.connamespace, rc.relnamespace, 'pg_constraint'::regclass, con.oid, 'pg_class'::regclass, con.confrelid
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
  WHERE con.contype = 'f' AND con.connamespace IN (SELECT oid FROM tenants) AND rc.relnamespace <> con.connamespace
  UNION ALL
  -- a partition or child table of another tenant's table, from pg_inherits
  SELECT c.relnamespace, pc.relnamespace, 'pg_class'::regclass, c.oid, 'pg_class'::regclass, pc.oid
  FROM pg_catalog.pg_inherits inh
  JOIN pg_catalog.pg_class c ON c.oid = inh.inhrelid
  JOIN pg_catalog.pg_class pc ON pc.oid = inh.inhparent
  WHERE c.relnamespace IN (SELECT oid FROM tenants) AND pc.relnamespace <> c.relnamespace
),
leak AS (
  -- one row per dependent object and foreign tenant; column-level dependencies fold into their table
  SELECT x.from_ns, x.to_ns, x.classid, x.objid,
         string_agg(DISTINCT pg_catalog.pg_describe_object(x.refclassid, x.refobjid, 0), ', ') AS targets
  FROM crossing x
  GROUP BY x.from_ns, x.to_ns, x.classid, x.objid
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
