/**
 * What the scale benchmarks share: the console's statements recorded as they run, replayed bare by psql
 * (the SQL floor: what the server needs with no console around it), and the median of repeated timings.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { parseUrl } from '../src/main/core/db/connection';
import { Database, type QueryOptions } from '../src/main/core/db/database';
import { inlineParams } from '../src/main/core/db/sql';
import { log } from './args';

const run = promisify(execFile);

/** A Database that remembers every statement it ran, so psql can replay exactly the same SQL. */
export class RecordingDatabase extends Database {
  readonly statements: { text: string; params: unknown[] }[] = [];
  override query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = [], opts: QueryOptions = {}): Promise<pg.QueryResult<R>> {
    this.statements.push({ text, params });
    return super.query<R>(text, params, opts);
  }
}

/** The recorded statements as one psql script, parameters inlined as literals. */
export function psqlScript(statements: { text: string; params: unknown[] }[]): string {
  return statements.map((s) => inlineParams(s.text, s.params)).join('\n');
}

export function withSslmode(url: string): string {
  return url.includes('sslmode=') ? url : `${url}${url.includes('?') ? '&' : '?'}sslmode=disable`;
}

export function openDb(url: string, Kind: typeof Database = Database): Database {
  const { target, password } = parseUrl(withSslmode(url));
  return new Kind(target, { password: password ?? '', source: 'url' });
}

/** Runs a psql script file bare (-X, output discarded); the password goes through the environment only. */
export async function runPsqlFile(url: string, file: string): Promise<void> {
  const bare = new URL(withSslmode(url));
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(bare.password) };
  bare.password = '';
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-f', file, bare.toString()], { maxBuffer: 64 * 1024 * 1024, env });
}

/** The middle value of some timings. */
export const middle = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The median of n timed runs of fn, in ms, each run logged. */
export async function median(label: string, n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    log(`  ${label} run ${i + 1}/${n}: ${(times[i]! / 1000).toFixed(2)} s`);
  }
  return middle(times);
}
