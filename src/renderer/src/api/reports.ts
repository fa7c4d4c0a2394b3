import type { Input } from '../../../shared/contract';
import { invoke } from '../bridge';
import { useAction, useCall } from './client';

/** Saved reports of the active connection; read again when a report task ends (task.updated). */
export const useSavedReports = () => useCall('reports.list', {});

export const useReportSettings = () => useCall('reports.settings', {});

/** The HTML of one saved report, for the sandboxed preview (nothing when no id). */
export const useReportHtml = (id: string | undefined) => useCall('reports.html', { id: id ?? '' }, { enabled: Boolean(id), staleTime: Infinity });

export const useGenerateReport = () => useAction('reports.generate');
export const useDeleteReport = () => useAction('reports.delete', ['reports']);
export const useDiffReports = () => useAction('reports.diff', ['reports']);
export const useConfigureReports = () => useAction('reports.configure', ['reports']);

/** Save a rendering as a file: the bytes come over the contract, the browser writes them (no URL to fetch). */
function saveAs(name: string, type: string, data: BlobPart): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function downloadReport(id: string, format: 'json' | 'html' | 'pdf', paper: Input<'reports.pdf'>['paper'] = 'A4'): Promise<void> {
  if (format === 'json') saveAs(`${id}.json`, 'application/json', JSON.stringify(await invoke('reports.get', { id }), null, 2));
  else if (format === 'html') saveAs(`${id}.html`, 'text/html', (await invoke('reports.html', { id })).html);
  else {
    const { base64 } = await invoke('reports.pdf', { id, paper });
    saveAs(`${id}-${paper}.pdf`, 'application/pdf', Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  }
}
