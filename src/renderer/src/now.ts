import { useEffect, useState } from 'react';

/** The current time, refreshed every `everyMs`, so "3 min ago" labels keep ageing while a page is open. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
