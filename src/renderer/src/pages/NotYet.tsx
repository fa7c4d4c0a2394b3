import { EmptyState } from '../components/States';

const TEXT: Record<string, { title: string; body: string }> = {
  reports: { title: 'Reports', body: 'Exportable health reports (PDF, HTML, JSON) are not part of this build yet.' },
};

/** A section whose feature has not landed: say so plainly rather than show fake data. */
export function NotYet({ section }: { section: string }) {
  const t = TEXT[section] ?? { title: section, body: 'Not part of this build yet.' };
  return (
    <div className="page">
      <h1>{t.title}</h1>
      <EmptyState title="Not available in this version">
        <p>{t.body}</p>
        <p className="muted">Nothing here is simulated: when this section lands it will show live data from the connected database.</p>
      </EmptyState>
    </div>
  );
}
