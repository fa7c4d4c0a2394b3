import { useEffect, useState } from 'react';
import { useCall } from './client';

const KEEP_SAMPLES = 120;
export const POLL_MS = 5_000;

export interface ConnectionSample {
  at: string;
  [state: string]: number | string;
}

/** Live facts of the active connection, polled while the Overview is open, and this session's samples of them. */
export function useOverview(enabled: boolean) {
  const query = useCall('overview.get', {}, { enabled, refetchInterval: POLL_MS });
  const facts = query.data;
  const [samples, setSamples] = useState<{ connectionId: string; list: ConnectionSample[] }>({ connectionId: '', list: [] });
  useEffect(() => {
    if (!facts) return;
    const sample: ConnectionSample = { at: facts.sampledAt, ...facts.connectionsByState };
    setSamples((s) => (s.connectionId === facts.connectionId ? { connectionId: s.connectionId, list: [...s.list, sample].slice(-KEEP_SAMPLES) } : { connectionId: facts.connectionId, list: [sample] }));
  }, [facts]);
  return { facts, samples: samples.list, error: query.error, refresh: () => void query.refetch() };
}
