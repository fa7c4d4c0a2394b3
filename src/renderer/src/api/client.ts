import { keepPreviousData, QueryClient, useInfiniteQuery, useMutation, useQuery, type UseQueryOptions } from '@tanstack/react-query';
import type { Input, Method, Output } from '../../../shared/contract';
import type { Task } from '../../../shared/domain/tasks';
import { BridgeError, invoke, subscribe } from '../bridge';

/**
 * The renderer's one data layer: server state is read through TanStack Query, keyed by
 * [method, input], and made stale by events (a task that succeeds, a health tick), never by a page.
 * Only the hooks in src/renderer/src/api call the bridge.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    // The main process answers with an OpsError that a retry would only repeat; a page offers "Try again".
    // A page opened again shows what it had and reads it again (as the pages always did).
    queries: { retry: false, refetchOnWindowFocus: false, staleTime: 0 },
    mutations: { retry: false },
  },
});

export type CallKey<M extends Method> = readonly [M, Input<M>];

export function callKey<M extends Method>(method: M, input: Input<M>): CallKey<M> {
  return [method, input] as const;
}

type CallOptions<M extends Method, T> = Omit<UseQueryOptions<Output<M>, BridgeError, T, CallKey<M>>, 'queryKey' | 'queryFn'>;

/** One contract call as cached server state. */
export function useCall<M extends Method, T = Output<M>>(method: M, input: Input<M>, options: CallOptions<M, T> = {}) {
  return useQuery<Output<M>, BridgeError, T, CallKey<M>>({ queryKey: callKey(method, input), queryFn: () => invoke(method, input), ...options });
}

/** The calls whose list the server pages with a cursor. */
type PagedMethod = 'backups.list' | 'health.findings';

/** A list the server pages with a cursor (`limit` a page): the first page, then the next ones on demand. */
export function usePagedCall<M extends PagedMethod>(method: M, input: Omit<Input<M>, 'cursor' | 'limit'>, limit: number) {
  return useInfiniteQuery({
    queryKey: [method, input, 'pages'],
    queryFn: ({ pageParam }) => invoke(method, { ...input, limit, ...(pageParam ? { cursor: pageParam } : {}) } as Input<M>),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: Output<M>) => page.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** One contract call that changes something; on success the named domains' queries are read again. */
export function useAction<M extends Method>(method: M, invalidates: Domain[] = []) {
  return useMutation<Output<M>, BridgeError, Input<M>>({
    mutationFn: (input) => invoke(method, input),
    onSuccess: () => invalidates.forEach(invalidateDomain),
  });
}

/** A domain is the first segment of a method name: 'backups' for 'backups.list'. */
export type Domain = 'app' | 'connections' | 'overview' | 'health' | 'backups' | 'tenants' | 'secrets' | 'tasks' | 'fleet' | 'reports' | 'dr' | 'pitr';

export function invalidateDomain(domain: Domain): void {
  void queryClient.invalidateQueries({ predicate: (q) => String(q.queryKey[0]).split('.')[0] === domain });
}

/** The domain whose state a finished task changed: its kind's first segment (backups.run, .restore, .verify: the catalog and the copies). */
function domainsOf(task: Task): Domain[] {
  if (task.kind === 'demo.start') return ['app', 'connections', 'overview'];
  // The DR readiness is judged on the backups.
  if (task.kind.startsWith('backups.')) return ['backups', 'dr'];
  // A point-in-time restore leaves a restored copy (the Backups page's list) and changes the window.
  if (task.kind === 'pitr.restore') return ['pitr', 'backups'];
  const domain = task.kind.split('.')[0] as Domain;
  return [domain];
}

/** Everything read for one connection is forgotten when another becomes active (the shell keeps its own). */
export function resetConnectionState(): void {
  void queryClient.resetQueries({ predicate: (q) => !['app.info', 'connections.list', 'tasks.list'].includes(String(q.queryKey[0])) });
  invalidateDomain('app');
  invalidateDomain('connections');
}

/**
 * The events that make server state stale: each task.updated is written into the task list, and one
 * that ended invalidates its domain; health.updated invalidates health, dr.run the DR domain. Returns the unsubscribe.
 */
export function followEvents(): () => void {
  const offTask = subscribe('task.updated', (task) => {
    queryClient.setQueryData<Output<'tasks.list'>>(callKey('tasks.list', {}), (old) => ({ tasks: [...(old?.tasks ?? []).filter((t) => t.id !== task.id), task] }));
    // Read again when it ended, whatever the outcome: a failed verification is recorded in the catalog too.
    if (task.status === 'succeeded' || task.status === 'failed' || task.status === 'cancelled') domainsOf(task).forEach(invalidateDomain);
  });
  const offHealth = subscribe('health.updated', () => invalidateDomain('health'));
  // A run's step started or ended: its run, the run list and the drills are read again.
  const offDr = subscribe('dr.run', () => invalidateDomain('dr'));
  return () => {
    offTask();
    offHealth();
    offDr();
  };
}
