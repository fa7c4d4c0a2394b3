import { keepPreviousData } from '@tanstack/react-query';
import type { Input } from '../../../shared/contract';
import { useAction, useCall } from './client';

/** The connection's point-in-time recovery: engine, backups, archiver, recoverable window. */
export const usePitrStatus = () => useCall('pitr.status', {});

/** Tenants matching the picker's text (one page from the core). */
export const usePitrTenants = (search: string) => useCall('pitr.tenants', { search, limit: 20 }, { placeholderData: keepPreviousData });

export function usePitrActions() {
  const restore = useAction('pitr.restore');
  const configure = useAction('pitr.configure', ['pitr']);
  const demo = useAction('pitr.demo', ['pitr', 'app', 'connections']);
  return {
    restore: (input: Input<'pitr.restore'>) => restore.mutateAsync(input),
    configure: (input: Input<'pitr.configure'>) => configure.mutateAsync(input),
    setDemo: (enabled: boolean) => demo.mutateAsync({ enabled }),
    demoPending: demo.isPending,
  };
}
