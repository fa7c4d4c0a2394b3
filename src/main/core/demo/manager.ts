import { join } from 'node:path';
import type { Logger } from '../util/log';
import { toWireError } from '../util/errors';
import type { TaskManager } from '../tasks/tasks';
import { startDemo, type DemoHandle } from './cluster';

export type DemoState = 'off' | 'starting' | 'running' | 'failed';

/**
 * The embedded demo database the app falls back to when no connection is configured.
 * Started as a task (first seeding takes a while), stopped with the app.
 */
export class DemoManager {
  private handle: DemoHandle | undefined;
  private starting: Promise<DemoHandle> | undefined;
  private _state: DemoState = 'off';
  private _message: string | undefined;

  constructor(
    private readonly home: string,
    private readonly tasks: TaskManager,
    private readonly log: Logger,
    private readonly options: { tenants?: number; port?: number; pitr?: boolean } = {},
  ) {}

  get state(): DemoState {
    return this._state;
  }
  get message(): string | undefined {
    return this._message;
  }
  get running(): DemoHandle | undefined {
    return this.handle;
  }

  /** Start (or join the start of) the demo database. */
  ensure(): Promise<DemoHandle> {
    if (this.handle) return Promise.resolve(this.handle);
    if (this.starting) return this.starting;
    this._state = 'starting';
    this._message = 'Starting the embedded demo database…';
    const { done } = this.tasks.start({ kind: 'demo.start', title: 'Start demo database', unit: 'steps', cancellable: false }, (ctx) =>
      startDemo({
        dataDir: join(this.home, 'demo'),
        home: this.home,
        ...(this.options.tenants ? { tenants: this.options.tenants } : {}),
        ...(this.options.port ? { port: this.options.port } : {}),
        ...(this.options.pitr !== undefined ? { pitr: this.options.pitr } : {}),
        log: (m) => {
          ctx.log(m);
          this.log(m);
        },
        onProgress: (p) => ctx.progress(p.done, p.total, p.phase),
        signal: ctx.signal,
      }),
    );
    this.starting = done.then(
      (handle) => {
        this.handle = handle;
        this._state = 'running';
        this._message = `Demo database with ${handle.tenants} tenants on port ${handle.port}${handle.pitr ? ', WAL archived to pgBackRest' : ''}.${handle.pitrMessage ? ` ${handle.pitrMessage}` : ''}`;
        void handle.died.then((why) => {
          if (this.handle !== handle) return;
          this.handle = undefined;
          this._state = 'failed';
          this._message = why;
          this.log(why);
        });
        return handle;
      },
      (err: unknown) => {
        this._state = 'failed';
        this._message = toWireError(err).message;
        this.starting = undefined;
        throw err;
      },
    );
    return this.starting;
  }

  /** Restart the demo with WAL archiving to its pgBackRest repo turned on or off (remembered by the demo). */
  async setPitr(enabled: boolean): Promise<DemoHandle> {
    this.options.pitr = enabled;
    await this.stop();
    return this.ensure();
  }

  async stop(): Promise<void> {
    const handle = this.handle ?? (await this.starting?.catch(() => undefined));
    this.handle = undefined;
    this.starting = undefined;
    this._state = 'off';
    await handle?.stop();
  }
}
