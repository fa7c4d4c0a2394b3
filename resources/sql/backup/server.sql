-- Facts a backup records in its manifest and checks pg_dump against.
SELECT current_database() AS database,
       current_setting('server_version') AS server_version,
       current_setting('server_version_num')::int AS server_version_num;
