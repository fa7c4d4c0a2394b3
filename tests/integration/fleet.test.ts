/**
 * The fleet on real parts: the headless service (App with headless: true + its /metrics server) on a
 * seeded database, Debian's Prometheus scraping it with the bearer token from a credentials_file and the
 * shipped alert rules loaded, promtool on our exposition, and a local HTTP receiver for the webhooks.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../src/main/api';
import { App } from '../../src/main/app';
import { NoPersistVault } from '../../src/main/core/connections/vault';
import { silentLogger } from '../../src/main/core/util/log';
import { startHeadlessServer, type HeadlessServer } from '../../src/main/metrics-endpoint';
import { createScratchDatabase, type ScratchDatabase } from '../support/db';
import { seriesOf } from '../support/fleet-snapshot';
import { taskEnded } from '../support/tasks';

const TOKEN = 'metrics-token-for-the-test-0123456789';
const RULES = join(import.meta.dirname, '../../deploy/prometheus/alerts.yml');

let db: ScratchDatabase;
let dir: string;
let app: App;
let headless: HeadlessServer;
let receiver: Server;
let prometheus: ChildProcess | undefined;
let promPort = 0;
const received: { event: string; body: string }[] = [];
const logs: string[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const scrape = async (token = TOKEN) => fetch(`http://127.0.0.1:${headless.port}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

async function backup(kind: 'tenant' | 'all-tenants', tenant?: string): Promise<string> {
  const { taskId } = await app.backups.run(kind, tenant);
  const task = await taskEnded(app.tasks, taskId);
  await app.fleet.idle();
  return task.status;
}

/** Poll Prometheus' HTTP API until `query` returns a sample (it scrapes every second). */
async function promQuery(query: string, deadlineMs = 90_000): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => undefined);
    if (r?.ok) {
      const body = (await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.data.result.length) return body.data.result;
    }
    if (Date.now() > end) throw new Error(`Prometheus gave no sample for ${query}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

beforeAll(async () => {
  db = await createScratchDatabase({ tenants: 4, scale: 0.02, workload: false });
  dir = mkdtempSync(join(tmpdir(), 'pfo-fleet-'));
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ event: (JSON.parse(body) as { event: string }).event, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookPort = (receiver.address() as { port: number }).port;
  const home = join(dir, 'home');
  app = new App({ host: 'browser', headless: true, vault: new NoPersistVault(), log: (m) => logs.push(m), dataDir: home });
  writeFileSync(join(home, 'fleet.json'), JSON.stringify({ webhooks: [{ id: 'receiver', kind: 'json', url: `http://127.0.0.1:${hookPort}/hook/s3cr3t-path`, timeoutMs: 5000, retries: 2 }], metrics: { topN: 5 } }));
  await app.connections.save({ name: 'fleet test', environment: 'development', url: `${db.url}?sslmode=disable` });
  await app.backups.configure({ destination: join(dir, 'backups') });
  await app.backups.generateKey();
  await app.startup();
  headless = await startHeadlessServer({ app, log: silentLogger, token: TOKEN, port: 0 });
});

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await headless?.close();
  await app?.close();
  await new Promise((r) => receiver?.close(r));
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('headless service, Prometheus and webhooks', () => {
  let failingScrape = '';

  it('refuses a scrape without the bearer token or with a wrong one', async () => {
    expect((await scrape('')).status).toBe(401);
    expect((await scrape('wrong-token-wrong-token-wrong-token')).status).toBe(401);
    expect((await scrape()).status).toBe(200);
  });

  it('sends exactly one notification for a failed backup (twice failed: still one) and one for its recovery', async () => {
    expect(await backup('all-tenants')).toBe('succeeded');
    expect(await backup('tenant', 'org_no_such_tenant')).toBe('failed');
    expect(await backup('tenant', 'org_no_such_tenant_either')).toBe('failed');
    const backups = () => received.filter((r) => r.event.startsWith('backup.')).map((r) => r.event);
    expect(backups()).toEqual(['backup.failed']);
    const failed = JSON.parse(received.find((r) => r.event === 'backup.failed')!.body) as { labels: Record<string, string>; severity: string };
    expect(failed).toMatchObject({ labels: { kind: 'tenant' }, severity: 'critical' });
    failingScrape = await (await scrape()).text();
    expect(failingScrape).toMatch(/^pfops_backup_last_success\{kind="tenant"\} 0$/m);
    expect(failingScrape).toMatch(/^pfops_backup_age_seconds\{database="[^"]+",kind="all-tenants"\} \d/m);
  });

  it('is scraped by a real Prometheus (bearer token from a credentials_file), which fires the shipped backup alert', async () => {
    promPort = await freePort();
    writeFileSync(join(dir, 'token'), TOKEN);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(RULES)}]`,
        'scrape_configs:',
        '  - job_name: podcastflow-ops',
        `    authorization: { type: Bearer, credentials_file: ${JSON.stringify(join(dir, 'token'))} }`,
        `    static_configs: [{ targets: ["127.0.0.1:${headless.port}"] }]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    const age = await promQuery('pfops_backup_age_seconds{kind="all-tenants"}');
    expect(Number(age[0]!.value[1])).toBeGreaterThanOrEqual(0);
    expect((await promQuery('up{job="podcastflow-ops"}'))[0]!.value[1]).toBe('1');
    const alert = await promQuery('ALERTS{alertname="PfopsBackupFailed",alertstate="firing"}');
    expect(alert[0]!.metric).toMatchObject({ kind: 'tenant', severity: 'critical' });
  });

  it('recovers: one notification, and the alert input goes back to 1', async () => {
    expect(await backup('tenant', db.seed!.tenants[0]!)).toBe('succeeded');
    expect(received.filter((r) => r.event.startsWith('backup.')).map((r) => r.event)).toEqual(['backup.failed', 'backup.recovered']);
    expect(await (await scrape()).text()).toMatch(/^pfops_backup_last_success\{kind="tenant"\} 1$/m);
  });

  it('the verify schedule verifies the newest unverified backup of each kind, and /metrics shows the verdict', async () => {
    const started = await app.fleet.verifyNewest();
    // The newest all-tenants backup and the newest tenant backup, each unverified so far.
    expect(started).toHaveLength(2);
    for (const id of started) expect((await taskEnded(app.tasks, id)).status).toBe('succeeded');
    await app.fleet.idle();
    const text = await (await scrape()).text();
    expect(text).toMatch(/^pfops_backup_verify_last_success\{database="[^"]+",kind="all-tenants"\} 1$/m);
    expect(text).toMatch(/^pfops_backup_verify_last_success\{database="[^"]+",kind="tenant"\} 1$/m);
    expect(text).toMatch(/^pfops_backup_verified_age_seconds\{database="[^"]+",kind="tenant"\} \d/m);
    // Nothing verified twice: a second round finds nothing to do.
    expect(await app.fleet.verifyNewest()).toEqual([]);
  });

  it('passes promtool check metrics, and the planted failure fires PfopsBackupFailed in promtool test rules', async () => {
    expect(execFileSync('promtool', ['check', 'metrics'], { input: failingScrape, encoding: 'utf8' })).toBe('');
    // Our own failing exposition, every series held for 5 minutes, as the rules' test input.
    const series = seriesOf(failingScrape).map((line) => {
      const cut = line.lastIndexOf(' ');
      return `      - series: ${JSON.stringify(line.slice(0, cut))}\n        values: ${JSON.stringify(`${line.slice(cut + 1)}x5`)}`;
    });
    const test = [
      `rule_files: [${JSON.stringify(RULES)}]`,
      'evaluation_interval: 1m',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      ...series,
      '    alert_rule_test:',
      '      - eval_time: 1m',
      '        alertname: PfopsBackupFailed',
      '        exp_alerts:',
      '          - exp_labels: { severity: critical, kind: tenant }',
      '            exp_annotations:',
      '              summary: "The last tenant backup failed"',
      `              description: "PodcastFlow Ops' last tenant backup ended in failure; see the service log."`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'planted.test.yml'), test);
    expect(execFileSync('promtool', ['test', 'rules', join(dir, 'planted.test.yml')], { encoding: 'utf8' })).toMatch(/SUCCESS/);
  });

  it('answers the Settings page: webhooks by id and host, and the test button delivers a test event', async () => {
    const list = await invoke(app, 'fleet.webhooks', {});
    expect(list).toMatchObject({ ok: true, result: { webhooks: [{ id: 'receiver', kind: 'json', host: expect.stringMatching(/^127\.0\.0\.1:\d+$/) }] } });
    expect(JSON.stringify(list)).not.toContain('s3cr3t-path');
    const before = received.length;
    expect(await invoke(app, 'fleet.testWebhooks', {})).toMatchObject({ ok: true, result: { results: [{ webhook: 'receiver', ok: true, attempts: 1, status: 204 }] } });
    expect(received.slice(before).map((r) => r.event)).toEqual(['test']);
  });

  it('names no password, key or credentialed URL in /metrics, a payload or the log', async () => {
    const password = decodeURIComponent(new URL(db.url).password);
    const keyFile = (await app.backups.view()).key;
    const passphrase = keyFile.configured && keyFile.where ? readFileSync(keyFile.where, 'utf8').split('\n')[0]! : 'none';
    const texts = [await (await scrape()).text(), ...received.map((r) => r.body), logs.join('\n')];
    for (const t of texts) {
      if (password) expect(t).not.toContain(password);
      expect(t).not.toContain(passphrase);
      expect(t).not.toContain('s3cr3t-path');
      expect(t).not.toMatch(/[a-z]+:\/\/[^/\s:@]+:[^@\s]+@/i);
      expect(t).not.toMatch(/password|passphrase/i);
    }
  });
});
