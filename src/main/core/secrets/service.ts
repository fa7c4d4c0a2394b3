import { resolve } from 'node:path';
import type { z } from 'zod';
import type { secretsContract } from '../../../shared/domain/secrets';
import type { ConnectionService } from '../connections/service';
import type { TaskManager } from '../tasks/tasks';
import { OpsError } from '../util/errors';
import { runAudit, type AuditRequest } from './audit';
import { listSecretsPage, rotateNow } from './aws-audit';
import { suppress } from './baseline';

type In<M extends keyof typeof secretsContract> = z.output<(typeof secretsContract)[M]['input']>;

/**
 * The secrets audit and the Secrets Manager inventory for the app. Audits run as tasks; their reports
 * (with the folder they scanned) are the tasks' results, kept by the task manager.
 */
export class SecretsService {
  constructor(
    private readonly tasks: TaskManager,
    private readonly connections: ConnectionService,
  ) {}

  async sources() {
    return { sources: await this.connections.credentialSources() };
  }

  async inventory(input: In<'secrets.inventory'>) {
    return listSecretsPage({ region: input.region, profile: input.profile }, input.cursor, input.maxAgeDays);
  }

  async startAudit(input: In<'secrets.audit.start'>): Promise<{ taskId: string }> {
    if (!input.path && !input.aws && !input.database) throw new OpsError('nothing_to_audit', 'Pick at least one thing to audit.', 'Give a folder, tick AWS Secrets Manager, or tick the database.');
    const req: AuditRequest = {
      ...(input.path ? { path: input.path } : {}),
      ...(input.aws ? { aws: { region: input.region, profile: input.profile } } : {}),
      ...(input.database ? { db: (await this.connections.database(input.connectionId)).db } : {}),
    };
    const { task } = this.tasks.start({ kind: 'secrets.audit', title: `Secrets audit${input.path ? ` of ${input.path}` : ''}`, unit: 'files' }, async (ctx) => ({
      ...(await runAudit(req, ctx)),
      ...(input.path ? { path: input.path } : {}),
    }));
    return { taskId: task.id };
  }

  auditResult(taskId: string) {
    const task = this.tasks.get(taskId);
    if (!task || task.kind !== 'secrets.audit') return { status: 'unknown' as const };
    const status = task.status === 'queued' ? 'running' : task.status;
    const run = this.tasks.result(taskId, 'secrets.audit');
    if (!run) return { status };
    const { path, ...report } = run;
    return { status, report, ...(path ? { path } : {}) };
  }

  /** Only into a folder this console audited, and only a fingerprint that audit reported. */
  async suppress(input: In<'secrets.suppress'>) {
    const known = this.tasks
      .list()
      .filter((t) => t.kind === 'secrets.audit')
      .some((t) => {
        const run = this.tasks.result(t.id, 'secrets.audit');
        return run?.path === input.path && run.findings.some((f) => f.fingerprint === input.fingerprint);
      });
    if (!known) throw new OpsError('unknown_finding', 'That fingerprint is not a finding of a recent audit of this folder.', 'Run the audit of the folder again, then suppress from its findings.');
    return suppress(resolve(input.path), input.fingerprint, input.note);
  }

  async rotate(input: In<'secrets.rotate'>) {
    // Rotation is confirmed by typing the secret's name back.
    if (input.confirm !== input.secretId) throw new OpsError('confirmation_required', `To rotate now, type the secret id "${input.secretId}" to confirm.`, 'Nothing was changed.');
    const r = await rotateNow({ region: input.region, profile: input.profile }, input.secretId);
    const refreshed = await this.connections.refreshSecret(input.secretId);
    return { ...r, refreshed };
  }
}
