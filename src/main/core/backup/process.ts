/**
 * Child processes of a backup (pg_dump, pg_restore, pg_dumpall): spawned with the password in the
 * environment, killed on abort, stderr kept (redacted, last lines) for a clear error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CONNECTION_LOST_HINT, OpsError, saysConnectionLost } from '../util/errors';
import { redact } from '../util/redact';

export interface Child {
  proc: ChildProcess;
  /** Resolves when the process exits with 0; rejects with the last stderr lines otherwise. */
  exited: Promise<void>;
}

export function startChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts: { signal?: AbortSignal; onStderrLine?: (line: string) => void; stdin?: 'pipe' | 'ignore' } = {}): Child {
  const proc = spawn(cmd, args, { env, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let partial = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      opts.onStderrLine?.(line);
      if (!/: (dumping contents of table|reading|identifying|saving|processing|creating|executing|finding|flagging|last built-in|connecting|implied data-only|launching|finished item)/.test(line)) {
        tail.push(redact(line));
        if (tail.length > 12) tail.shift();
      }
    }
  });
  const kill = () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
  };
  if (opts.signal?.aborted) kill();
  opts.signal?.addEventListener('abort', kill, { once: true });
  const name = cmd.split('/').pop() ?? cmd;
  const exited = new Promise<void>((resolve, reject) => {
    proc.on('error', (err) => reject(new OpsError('tool_failed', `${name} could not be started: ${err.message}`)));
    proc.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', kill);
      if (partial) tail.push(redact(partial));
      if (code === 0) return resolve();
      if (opts.signal?.aborted) return reject(new OpsError('cancelled', 'Cancelled.'));
      const why = sig ? `was killed (${sig})` : `exited with code ${code}`;
      if (!sig && saysConnectionLost(tail.join('\n'))) return reject(new OpsError('connection_lost', `${name} lost its database session: ${tail.slice(-4).join(' | ')}.`, CONNECTION_LOST_HINT));
      reject(new OpsError('tool_failed', `${name} ${why}${tail.length ? `: ${tail.slice(-4).join(' | ')}` : ''}.`, 'Nothing was recorded as a success; see the message for the cause.'));
    });
  });
  exited.catch(() => {});
  return { proc, exited };
}
