-- Secrets audit, database category: the credential posture of the connected cluster, one row per finding.
-- Columns: rule, severity (low|medium|high|critical), object, message.
-- No parameters; runnable as is in psql.
WITH admin_apps(name) AS (
  -- Sessions from these tools are DBAs at work, not applications.
  VALUES ('psql'), ('podcastflow-ops'), ('pg_dump'), ('pg_restore'), ('pg_basebackup'), ('pgAdmin 4'), ('')
)
-- 1. New passwords hashed with anything weaker than SCRAM.
SELECT 'db-password-encryption' AS rule, 'high' AS severity, 'password_encryption' AS object,
       format('password_encryption is %s; set it to scram-sha-256 and reset passwords', current_setting('password_encryption')) AS message
 WHERE current_setting('password_encryption') <> 'scram-sha-256'
UNION ALL
-- 2. Superuser login roles that applications actually use (sessions from non-admin clients).
SELECT 'db-superuser-app-login', 'critical', r.rolname,
       format('superuser role %I is used by application(s): %s', r.rolname, string_agg(DISTINCT a.application_name, ', '))
  FROM pg_roles r
  JOIN pg_stat_activity a ON a.usename = r.rolname AND a.backend_type = 'client backend'
 WHERE r.rolsuper AND r.rolcanlogin
   AND a.application_name NOT IN (SELECT name FROM admin_apps)
 GROUP BY r.rolname
UNION ALL
-- 3. Other superuser login roles besides the bootstrap superuser: each is a password worth everything.
SELECT 'db-superuser-login', 'medium', r.rolname,
       format('role %I can log in as superuser; applications should use a least-privilege role', r.rolname)
  FROM pg_roles r
 WHERE r.rolsuper AND r.rolcanlogin AND r.oid <> 10
UNION ALL
-- 4. PUBLIC may create objects in schema public (the pre-15 default; lets any role plant functions).
SELECT 'db-public-schema-create', 'high', 'schema public',
       'PUBLIC has CREATE on schema public; REVOKE CREATE ON SCHEMA public FROM PUBLIC'
  FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) acl
 WHERE n.nspname = 'public' AND acl.grantee = 0 AND acl.privilege_type = 'CREATE'
UNION ALL
-- 5. The console's own session travels without TLS.
SELECT 'db-connection-no-ssl', 'medium', 'this connection',
       'the console''s own connection does not use SSL; use sslmode=require or verify-full'
 WHERE NOT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false);
