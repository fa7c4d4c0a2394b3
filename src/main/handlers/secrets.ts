import { resolve } from 'node:path';
import type { AuditReport, secretsContract } from '../../shared/domain/secrets';
import type { App } from '../app';
import { runAudit, type AuditRequest } from '../core/secrets/audit';
import { listSecretsPage, rotateNow } from '../core/secrets/aws-audit';
import { suppress } from '../core/secrets/baseline';
import { OpsError } from '../core/util/errors';
import type { Handlers } from './types';

const KEEP_RUNS = 10;

/** Audit results by task id (the last few), kept in the main process until the page asks. */
const runs = new WeakMap<App, Map<string, { report?: AuditReport; path?: string }>>();
function runsOf(app: App) {
  let m = runs.get(app);
  if (!m) runs.set(app, (m = new Map()));
  return m;
}

export const secretsHandlers: Handlers<keyof typeof secretsContract> = {
  'secrets.sources': async (_input, app) => ({ sources: await app.connections.credentialSources() }),
  'secrets.inventory': async (input) => listSecretsPage({ region: input.region, profile: input.profile }, input.cursor, input.maxAgeDays),
  'secrets.audit.start': async (input, app) => {
    if (!input.path && !input.aws && !input.database) throw new OpsError('nothing_to_audit', 'Pick at least one thing to audit.', 'Give a folder, tick AWS Secrets Manager, or tick the database.');
    const req: AuditRequest = {
      ...(input.path ? { path: input.path } : {}),
      ...(input.aws ? { aws: { region: input.region, profile: input.profile } } : {}),
      ...(input.database ? { db: (await app.connections.database(input.connectionId)).db } : {}),
    };
    const m = runsOf(app);
    const { task, done } = app.tasks.start({ kind: 'secrets.audit', title: `Secrets audit${input.path ? ` of ${input.path}` : ''}`, unit: 'files' }, (ctx) => runAudit(req, ctx));
    m.set(task.id, input.path ? { path: input.path } : {});
    for (const id of [...m.keys()].slice(0, Math.max(0, m.size - KEEP_RUNS))) m.delete(id);
    done.then((report) => m.get(task.id) && (m.get(task.id)!.report = report)).catch(() => {});
    return { taskId: task.id };
  },
  'secrets.audit.result': async (input, app) => {
    const task = app.tasks.get(input.taskId);
    const run = runsOf(app).get(input.taskId);
    if (!task || !run) return { status: 'unknown' as const };
    const status = task.status === 'queued' ? 'running' : task.status;
    return { status, ...(run.report && status === 'succeeded' ? { report: run.report } : {}), ...(run.path ? { path: run.path } : {}) };
  },
  // Only into a folder this console audited, and only a fingerprint that audit reported.
  'secrets.suppress': async (input, app) => {
    const known = [...runsOf(app).values()].some((r) => r.path === input.path && r.report?.findings.some((f) => f.fingerprint === input.fingerprint));
    if (!known) throw new OpsError('unknown_finding', 'That fingerprint is not a finding of a recent audit of this folder.', 'Run the audit of the folder again, then suppress from its findings.');
    return suppress(resolve(input.path), input.fingerprint, input.note);
  },
  'secrets.rotate': async (input, app) => {
    // Rotation is confirmed by typing the secret's name back.
    if (input.confirm !== input.secretId) throw new OpsError('confirmation_required', `To rotate now, type the secret id "${input.secretId}" to confirm.`, 'Nothing was changed.');
    const r = await rotateNow({ region: input.region, profile: input.profile }, input.secretId);
    const refreshed = await app.connections.refreshSecret(input.secretId);
    return { ...r, refreshed };
  },
};
