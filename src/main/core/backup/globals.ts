/**
 * The roles and tablespaces of a full backup (pg_dumpall --globals-only), encrypted beside the dump in
 * the same format. Where this role may not read them they are left out and the manifest says why.
 */
import { createHash } from 'node:crypto';
import type { Manifest } from '../../../shared/domain/backups';
import type { Database } from '../db/database';
import { isConnectionLost } from '../util/errors';
import { encryptBuffer } from './crypto';
import type { Destination } from './destination';
import { startChild } from './process';
import { checkedTool, pgEnv, type ServerFacts } from './tools';

export interface GlobalsRequest {
  db: Database;
  dest: Destination;
  server: ServerFacts;
  /** The object written at the destination (<name>.globals.sql.enc). */
  object: string;
  passphrase: string;
  iterations: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

export async function dumpGlobals(req: GlobalsRequest): Promise<NonNullable<Manifest['globals']>> {
  try {
    const tool = await checkedTool('pg_dumpall', req.server);
    const child = startChild(tool.path, ['--globals-only', '--no-password'], pgEnv(req.db.target, req.db.toolCredential()), req.signal ? { signal: req.signal } : {});
    const chunks: Buffer[] = [];
    child.proc.stdout!.on('data', (c: Buffer) => chunks.push(c));
    await child.exited;
    const plain = Buffer.concat(chunks);
    const enc = await encryptBuffer(plain, req.passphrase, req.iterations);
    await req.dest.putSmall(req.object, enc);
    const h = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    return { included: true, plaintext: { bytes: plain.length, sha256: h(plain) }, ciphertext: { bytes: enc.length, sha256: h(enc) } };
  } catch (err) {
    // Roles left out for want of a privilege are noted; a lost session fails the backup like any other.
    if (req.signal?.aborted || isConnectionLost(err)) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    req.log?.(`Roles not included: ${msg}`);
    return { included: false, note: `pg_dumpall --globals-only was not permitted or failed: ${msg.slice(0, 300)}` };
  }
}
