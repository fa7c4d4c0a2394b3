import { useSyncExternalStore } from 'react';

export const SECTIONS = [
  { id: 'overview', label: 'Overview', key: '1' },
  { id: 'health', label: 'Health', key: '2' },
  { id: 'tenants', label: 'Tenants', key: '3' },
  { id: 'backups', label: 'Backups', key: '4' },
  { id: 'secrets', label: 'Secrets', key: '5' },
  { id: 'dr', label: 'Disaster Recovery', key: '6' },
  { id: 'reports', label: 'Reports', key: '7' },
  { id: 'settings', label: 'Settings', key: '8' },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

function current(): SectionId {
  const id = window.location.hash.replace(/^#\/?/, '').split('/')[0];
  return SECTIONS.find((s) => s.id === id)?.id ?? 'overview';
}

function listen(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

/** The section in the URL hash, so reload and back/forward keep the place. */
export function useSection(): SectionId {
  return useSyncExternalStore(listen, current);
}

export function go(id: SectionId): void {
  window.location.hash = `#/${id}`;
}

function rest(): string {
  return window.location.hash.replace(/^#\/?/, '').split('/').slice(1).join('/');
}

/** What follows the section in the hash (`#/dr/run/<id>` gives `run/<id>`), so a page's place survives reload. */
export function useSubPath(): string {
  return useSyncExternalStore(listen, rest);
}

export function goSub(id: SectionId, sub: string): void {
  window.location.hash = sub ? `#/${id}/${sub}` : `#/${id}`;
}
