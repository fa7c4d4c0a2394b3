-- Secrets audit: login roles whose stored password is an MD5 hash (weak, replayable with the hash).
-- pg_authid is readable by superusers only; elsewhere this fails with 42501 and the audit says so.
-- No parameters; runnable as is in psql.
SELECT rolname
  FROM pg_authid
 WHERE rolpassword LIKE 'md5%'
 ORDER BY rolname;
