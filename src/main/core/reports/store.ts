/**
 * Saved reports: <home>/reports/<id>.json (the model, compact) and index.json (the list, so listing
 * never reads the reports). Written atomically; retention keeps, per connection, the newest N reports
 * and none older than D days (the newest one always stays). The index is rebuilt from the files when it
 * is missing or unreadable.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Report, SavedReport, REPORT_SCHEMA, REPORT_VERSION, type ReportSettings } from '../../../shared/domain/reports';
import { writeJsonAtomic, writeTextAtomic } from '../store/files';
import { OpsError } from '../util/errors';

const Entry = SavedReport.extend({ connectionId: z.string() });
type Entry = z.infer<typeof Entry>;
const Index = z.object({ reports: z.array(Entry) });

const ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Parse a report read from a file or a request; a newer model version is refused with a clear error. */
export function parseReport(value: unknown, what: string): Report {
  const kind = (value as { schema?: unknown } | null)?.schema;
  if (kind !== REPORT_SCHEMA) throw new OpsError('invalid_report', `${what} is not a report of this app.`, 'Give a JSON report written by podcastflow-ops report --format json.');
  const version = (value as { version?: unknown }).version;
  if (typeof version === 'number' && version > REPORT_VERSION) throw new OpsError('invalid_report', `${what} is a report of model version ${version}; this app reads up to ${REPORT_VERSION}.`, 'Use a newer podcastflow-ops.');
  const parsed = Report.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpsError('invalid_report', `${what} does not match the report model: ${issue?.message ?? ''} at ${issue?.path.join('.') ?? ''}.`, 'Was it edited by hand?');
  }
  return parsed.data;
}

export class ReportStore {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ID.test(id)) throw new OpsError('invalid_input', 'Bad report id.');
    return join(this.dir, `${id}.json`);
  }

  /** One change of the index at a time (generate, a schedule and delete may overlap). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async index(): Promise<Entry[]> {
    try {
      return Index.parse(JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8'))).reports;
    } catch {
      return this.rebuild();
    }
  }

  /** The index from the report files themselves (after a crash between the two writes, or a lost index). */
  private async rebuild(): Promise<Entry[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: Entry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json') && n !== 'index.json')) {
      try {
        const text = await readFile(join(this.dir, name), 'utf8');
        const r = parseReport(JSON.parse(text), name);
        out.push(entryOf(r, name.slice(0, -5), 'unknown', Buffer.byteLength(text)));
      } catch {
        // Not a report (a stray file): left alone, not listed.
      }
    }
    return out.sort((a, b) => b.generatedAt.localeCompare(a.generatedAt));
  }

  async list(connectionId?: string): Promise<SavedReport[]> {
    const all = await this.index();
    return connectionId ? all.filter((e) => e.connectionId === connectionId || e.connectionId === 'unknown') : all;
  }

  async get(id: string): Promise<Report> {
    let text: string;
    try {
      text = await readFile(this.file(id), 'utf8');
    } catch {
      throw new OpsError('not_found', 'No such saved report (deleted, or removed by retention).', 'Refresh the list.');
    }
    return parseReport(JSON.parse(text), 'The saved report');
  }

  /** Save a report (it gets its id) and apply the connection's retention; answers with its list entry. */
  async save(report: Report, connectionId: string, retention: ReportSettings['retention'], extra: { scheduled?: boolean } = {}, now = Date.now()): Promise<SavedReport> {
    return this.serial(async () => {
      const id = `${report.generatedAt.replace(/[-:]/g, '').replace(/\.\d+/, '').replace('T', '-')}-${report.kind}-${randomBytes(3).toString('hex')}`;
      const saved: Report = { ...report, id };
      const text = JSON.stringify(saved);
      await writeTextAtomic(this.file(id), text);
      const entry = { ...entryOf(saved, id, connectionId, Buffer.byteLength(text)), ...(extra.scheduled ? { scheduled: true } : {}) };
      const all = [entry, ...(await this.index()).filter((e) => e.id !== id)].sort((a, b) => b.generatedAt.localeCompare(a.generatedAt));
      const mine = all.filter((e) => e.connectionId === connectionId);
      const expired = new Set(mine.filter((e, i) => i > 0 && (i >= retention.keepLast || now - Date.parse(e.generatedAt) > retention.keepDays * 86_400_000)).map((e) => e.id));
      await writeJsonAtomic(join(this.dir, 'index.json'), { reports: all.filter((e) => !expired.has(e.id)) });
      for (const old of expired) await rm(this.file(old), { force: true });
      return entry;
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.serial(async () => {
      const all = await this.index();
      if (!all.some((e) => e.id === id)) return false;
      // The index first: a report that is half gone is never listed.
      await writeJsonAtomic(join(this.dir, 'index.json'), { reports: all.filter((e) => e.id !== id) });
      await rm(this.file(id), { force: true });
      return true;
    });
  }
}

function entryOf(r: Report, id: string, connectionId: string, bytes: number): Entry {
  return { id, kind: r.kind, generatedAt: r.generatedAt, connection: r.connection.key, status: r.status, sections: Object.keys(r.sections), bytes, connectionId };
}
