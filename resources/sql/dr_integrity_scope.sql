-- DR corruption: the facts an integrity check reports beside its findings, and the relations it covers.
-- data_checksums tells whether the server itself detects damaged pages; data_directory (superusers and
-- pg_read_all_settings members; NULL otherwise) and the tablespaces are what the copy-before-repair
-- checklist copies.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_integrity_scope | psql URL
SELECT current_database() AS database,
       current_setting('server_version') AS server_version,
       current_setting('server_version_num')::int AS server_version_num,
       current_setting('data_checksums') AS data_checksums,
       CASE WHEN pg_catalog.pg_has_role('pg_read_all_settings', 'USAGE') THEN current_setting('data_directory') END AS data_directory,
       CASE WHEN pg_catalog.pg_has_role('pg_read_all_settings', 'USAGE') THEN current_setting('cluster_name') END AS cluster_name,
       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'amcheck') AS amcheck_installed,
       coalesce((SELECT jsonb_agg(jsonb_build_object('name', t.spcname, 'location', pg_catalog.pg_tablespace_location(t.oid)) ORDER BY t.spcname)
                 FROM pg_catalog.pg_tablespace t WHERE t.spcname NOT IN ('pg_default', 'pg_global')), '[]'::jsonb) AS tablespaces;
