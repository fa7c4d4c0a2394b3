/** Bytes for people (1024-based, one decimal above 100 units of the next smaller size). Used by every host. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Names in the user's collation. (V8's localeCompare has a fast path for plain names that an Intl.Collator lacks: 2–4× faster over 10,000.) */
export const byName = (a: string, b: string): number => a.localeCompare(b);
