-- DR corruption, amcheck fallback: bt_index_check of one btree index (AccessShareLock only, as pg_amcheck
-- without --parent-check); it raises an error on the first problem, which the console records.
-- @param $1 relation int: the index's oid
-- @param $2 heapallindexed bool = false: also check that every heap tuple has an index entry (slow)
SELECT bt_index_check($1::bigint::oid::regclass, $2::bool);
