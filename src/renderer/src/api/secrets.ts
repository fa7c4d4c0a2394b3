import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import type { AuditReport } from '../../../shared/domain/secrets';
import { invoke } from '../bridge';
import { useSecretsUi, type AwsScope } from '../stores/secrets';
import { invalidateDomain, queryClient, useAction, useCall } from './client';
import { useTask } from './tasks';

const scope = (aws: AwsScope) => ({ ...(aws.region.trim() ? { region: aws.region.trim() } : {}), ...(aws.profile.trim() ? { profile: aws.profile.trim() } : {}) });

/** Where the password of every connection came from, and why. */
export const useSources = () => useCall('secrets.sources', {});

/** The Secrets Manager inventory of the scope last asked for, 100 a page; nothing until asked. */
export function useInventory() {
  const { aws, inventoryScope, set } = useSecretsUi();
  const q = inventoryScope ? scope(inventoryScope) : undefined;
  const query = useInfiniteQuery({
    queryKey: ['secrets.inventory', q, 'pages'],
    queryFn: ({ pageParam }) => invoke('secrets.inventory', { ...q, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor,
    enabled: Boolean(q),
    placeholderData: keepPreviousData,
  });
  return {
    ...query,
    secrets: query.data?.pages.flatMap((p) => p.secrets) ?? [],
    loaded: Boolean(q) && !query.isPending,
    /** Load (or reload) the inventory of the scope typed now. */
    load() {
      if (inventoryScope && JSON.stringify(scope(inventoryScope)) === JSON.stringify(scope(aws))) void query.refetch();
      else set({ inventoryScope: { ...aws } });
    },
  };
}

/** The audit started on this page: its task, its report (the task's result) and how to start one. */
export function useAudit() {
  const { aws, auditTaskId, auditPath, set } = useSecretsUi();
  const start = useAction('secrets.audit.start');
  const followed = useTask<AuditReport>(auditTaskId, { withResult: true });
  return {
    ...followed,
    auditPath,
    startError: start.error,
    start(input: { path?: string; aws: boolean; database: boolean }) {
      start.reset();
      start.mutateAsync({ ...input, ...scope(aws) }).then(
        ({ taskId }) => set({ auditTaskId: taskId, auditPath: input.path }),
        () => undefined,
      );
    },
  };
}

/** Suppress one finding of a folder scan: its fingerprint goes to the baseline; the shown report drops it. */
export function useSuppress() {
  const call = useAction('secrets.suppress');
  const { auditTaskId, auditPath } = useSecretsUi();
  return async (fingerprint: string): Promise<string> => {
    if (!auditPath) throw new Error('Only findings of a folder scan can be suppressed.');
    const r = await call.mutateAsync({ path: auditPath, fingerprint });
    queryClient.setQueryData<AuditReport | null>(['task.result', auditTaskId], (report) => {
      if (!report) return report;
      const findings = report.findings.filter((f) => f.fingerprint !== fingerprint);
      return { ...report, findings, summary: { ...report.summary, suppressed: report.summary.suppressed + (report.findings.length - findings.length) } };
    });
    return r.baselineFile;
  };
}

/** Rotate a secret now; the sources and the inventory are read again. Returns the connections that re-read it. */
export function useRotate() {
  const call = useAction('secrets.rotate');
  const aws = useSecretsUi((s) => s.aws);
  return async (secretId: string, confirm: string): Promise<string[]> => {
    const r = await call.mutateAsync({ secretId, confirm, ...scope(aws) });
    invalidateDomain('secrets');
    return r.refreshed;
  };
}
