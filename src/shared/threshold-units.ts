import type { ThresholdUnit } from './domain/health';

const MB = 1024 * 1024;

/** How each base unit is shown in the editor: ratios as %, bytes as MB, milliseconds as seconds. */
const HUMAN: Record<ThresholdUnit, { label: string; perBase: number; integerBase: boolean }> = {
  ratio: { label: '%', perBase: 100, integerBase: false },
  bytes: { label: 'MB', perBase: 1 / MB, integerBase: true },
  ms: { label: 's', perBase: 1 / 1000, integerBase: true },
  s: { label: 's', perBase: 1, integerBase: false },
  days: { label: 'days', perBase: 1, integerBase: false },
  count: { label: '', perBase: 1, integerBase: false },
};

export function unitLabel(unit: ThresholdUnit): string {
  return HUMAN[unit].label;
}

/** A stored value as the operator reads it (0.99 → "99", 1048576 → "1", 2000 ms → "2"). */
export function toHuman(value: number, unit: ThresholdUnit): string {
  // toPrecision drops float noise such as 0.99 * 100 = 98.99999999999999.
  return String(Number((value * HUMAN[unit].perBase).toPrecision(12)));
}

/** What the operator typed, back in the stored unit; NaN when it is not a number. */
export function fromHuman(text: string, unit: ThresholdUnit): number {
  const n = text.trim() === '' ? NaN : Number(text.trim());
  const base = n / HUMAN[unit].perBase;
  return HUMAN[unit].integerBase ? Math.round(base) : Number(base.toPrecision(12));
}

/** "idleTxWarnSec" → "Idle tx warn": the unit is shown beside the field, so the name drops it. */
export function thresholdName(key: string): string {
  const words = key.split(/(?=[A-Z])/);
  if (words.length > 1 && /^(Ms|Sec|Bytes|Ratio|Days)$/.test(words[words.length - 1]!)) words.pop();
  const text = words.map((w) => (w.length === 1 ? w : w.toLowerCase())).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
