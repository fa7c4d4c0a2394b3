-- DR corruption, amcheck fallback: every problem verify_heapam finds in one table (its TOAST included).
-- @param $1 relation int: the table's oid
SELECT v.blkno AS block, v.offnum AS "offset", v.attnum AS attribute, v.msg AS message
FROM verify_heapam($1::bigint::oid::regclass, on_error_stop := false, check_toast := true, skip := 'none') AS v;
