-- DR evidence and security baseline: every role with its attributes and the roles it is a member of
-- (with the admin and inherit flags of each membership). Never the password: pg_roles masks rolpassword
-- and this query does not read it at all. Predefined roles (pg_*) are marked, not left out, so evidence
-- shows who holds pg_read_all_data or pg_execute_server_program.
-- No parameters; runnable as is in psql: podcastflow-ops sql print dr_evidence_roles | psql URL
SELECT r.rolname AS role,
       r.rolname LIKE 'pg\_%' AS predefined,
       r.rolsuper AS superuser,
       r.rolinherit AS inherit,
       r.rolcreaterole AS create_role,
       r.rolcreatedb AS create_db,
       r.rolcanlogin AS can_login,
       r.rolreplication AS replication,
       r.rolbypassrls AS bypass_rls,
       r.rolconnlimit AS connection_limit,
       r.rolvaliduntil AS valid_until,
       coalesce((SELECT jsonb_agg(jsonb_build_object('role', g.rolname, 'admin', m.admin_option) ORDER BY g.rolname)
                 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                 WHERE m.member = r.oid), '[]'::jsonb) AS member_of
FROM pg_catalog.pg_roles r
ORDER BY r.rolname;
