import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { AuditFinding } from '../../../../shared/domain/secrets';
import { SeverityPill } from './SeverityPill';

const ROW_HEIGHT = 30;

/** An audit's findings, virtualised. */
export function AuditFindings({ findings, canSuppress, onSuppress }: { findings: AuditFinding[]; canSuppress: boolean; onSuppress: (f: AuditFinding) => void }) {
  const parent = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render only, never memoized
  const rows = useVirtualizer({ count: findings.length, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  return (
    <div className="findings" role="table" aria-label="Findings" aria-rowcount={findings.length}>
      <div className="findings-row findings-head" role="row">
        <span role="columnheader">Severity</span><span role="columnheader">Category</span><span role="columnheader">Rule</span><span role="columnheader">Where</span><span role="columnheader">Finding</span><span role="columnheader" />
      </div>
      <div ref={parent} className="findings-body">
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {rows.getVirtualItems().map((v) => {
            const f = findings[v.index]!;
            const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : (f.secretId ?? '');
            return (
              <div key={v.key} className="findings-row" role="row" style={{ position: 'absolute', top: 0, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT, width: '100%' }}>
                <span role="cell"><SeverityPill s={f.severity} /></span>
                <span role="cell">{f.category}</span>
                <span role="cell" className="mono">{f.rule}</span>
                <span role="cell" className="mono ellipsis" title={where}>{where}</span>
                <span role="cell" className="ellipsis" title={f.message}>{f.message}{f.masked && <code className="masked"> {f.masked}</code>}</span>
                <span role="cell">{canSuppress && f.fingerprint && (f.category === 'code' || f.category === 'env') && <button className="small" title={`Suppress fingerprint ${f.fingerprint.slice(0, 12)}…`} onClick={() => onSuppress(f)}>Suppress</button>}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
