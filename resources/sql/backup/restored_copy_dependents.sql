-- Before a restored copy is dropped (DROP SCHEMA … CASCADE): the objects OUTSIDE it that depend on objects
-- inside it (a live view reading a copied table, a foreign key into it, a function using its type), which
-- the CASCADE would drop with it. The drop is refused while there are any. Up to 20, described.
-- Rules, column defaults, triggers and policies have no schema of their own: theirs is their table's.
-- @param $1 schema text = 'org_a__restored_20260101_0000': the restored copy's schema
-- Run it in psql: podcastflow-ops sql print backup/restored_copy_dependents --param schema=NAME | psql URL
WITH inside AS (
  SELECT 'pg_catalog.pg_class'::regclass AS classid, c.oid AS objid FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1::text
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass, t.oid FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1::text
  UNION ALL
  SELECT 'pg_catalog.pg_proc'::regclass, p.oid FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1::text
),
dependents AS (
  SELECT o.type, o.identity,
         coalesce((SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.oid = CASE d.classid
                                    WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_catalog.pg_rewrite WHERE oid = d.objid)
                                    WHEN 'pg_catalog.pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_catalog.pg_attrdef WHERE oid = d.objid)
                                    WHEN 'pg_catalog.pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_catalog.pg_trigger WHERE oid = d.objid)
                                    WHEN 'pg_catalog.pg_policy'::regclass THEN (SELECT polrelid FROM pg_catalog.pg_policy WHERE oid = d.objid)
                                  END),
                  o.schema) AS schema
  FROM pg_catalog.pg_depend d
  JOIN inside i ON i.classid = d.refclassid AND i.objid = d.refobjid
  CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) o
  WHERE d.deptype = 'n'
)
SELECT DISTINCT type, identity
  FROM dependents
 WHERE schema IS DISTINCT FROM $1::text
 ORDER BY 1, 2
 LIMIT 20;
