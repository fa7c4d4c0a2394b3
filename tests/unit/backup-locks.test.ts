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
    // (80,000 + 40) x 1.25 / 100 slots
    expect(advised).toBe(1001);
    expect(exceedsLockTable({ ...stock, max_locks_per_transaction: advised })).toBe(false);
  });

  it('counts prepared-transaction slots and what other sessions hold', () => {
    const c: LockCapacity = { tables: 6_000, max_locks_per_transaction: 64, max_connections: 90, max_prepared_transactions: 10, held: 300 };
    expect(exceedsLockTable(c)).toBe(false);
    expect(exceedsLockTable({ ...c, held: 401 })).toBe(true);
    expect(exceedsLockTable({ ...c, max_prepared_transactions: 0 })).toBe(true);
  });

  it('never advises lowering the setting', () => {
    const big: LockCapacity = { tables: 10, max_locks_per_transaction: 4096, max_connections: 100, max_prepared_transactions: 0, held: 0 };
    expect(lockAdvice(big)).toContain('max_locks_per_transaction = 4097');
  });
});
