import { describe, expect, it } from 'vitest';
import { exceedsLockTable, lockAdvice, type LockCapacity } from '../../src/main/core/backup/snapshot';

// 10,000 tenants of 8 tables against the stock settings: 64 x (100 + 0) = 6,400 locks.
const stock: LockCapacity = { tables: 80_000, max_locks_per_transaction: 64, max_connections: 100, max_prepared_transactions: 0, held: 40 };

describe('the lock table an all-tenants pg_dump needs', () => {
  it('is too small at the stock settings for 10,000 tenants, and large enough once raised as advised', () => {
    expect(exceedsLockTable(stock)).toBe(true);
    const advice = lockAdvice(stock);
    expect(advice).toContain('80000 tables');
    expect(advice).toContain('= 6400 locks, 40 held now');
    const advised = Number(/max_locks_per_transaction = (\d+)/.exec(advice)![1]);
    // (80,000 + a batch of 2,000 row counts + 40) x 1.25 / 100 slots
    expect(advised).toBe(1026);
    expect(exceedsLockTable({ ...stock, max_locks_per_transaction: advised })).toBe(false);
  });

  it('counts prepared-transaction slots, a batch of row counts and what other sessions hold', () => {
    // 4,000 + 2,000 + 300 = 6,300 of 64 x (90 + 10) = 6,400
    const c: LockCapacity = { tables: 4_000, max_locks_per_transaction: 64, max_connections: 90, max_prepared_transactions: 10, held: 300 };
    expect(exceedsLockTable(c)).toBe(false);
    expect(exceedsLockTable({ ...c, held: 401 })).toBe(true);
    expect(exceedsLockTable({ ...c, max_prepared_transactions: 0 })).toBe(true);
  });

  it('never advises lowering the setting', () => {
    const big: LockCapacity = { tables: 10, max_locks_per_transaction: 4096, max_connections: 100, max_prepared_transactions: 0, held: 0 };
    expect(lockAdvice(big)).toContain('max_locks_per_transaction = 4097');
  });
});
