import type { z } from 'zod';
import { appContract } from './domain/app';
import { backupsContract } from './domain/backups';
import { connectionsContract } from './domain/connections';
import { drContract, drEvents } from './domain/dr';
import { healthContract, healthEvents } from './domain/health';
import { overviewContract } from './domain/overview';
import { reportsContract } from './domain/reports';
import { pitrContract } from './domain/pitr';
import { secretsContract } from './domain/secrets';
import { tasksContract, tasksEvents } from './domain/tasks';
import { tenantsContract } from './domain/tenants';
import { fleetContract } from './domain/fleet';

/**
 * Every call between the renderer (or any other client) and the main process:
 * 'domain.action' -> { input, output } zod schemas. No channel name exists anywhere else.
 * Each domain keeps its schemas in ./domain/<domain>.ts.
 */
export const contract = {
  ...appContract,
  ...backupsContract,
  ...connectionsContract,
  ...healthContract,
  ...overviewContract,
  ...secretsContract,
  ...tasksContract,
  ...tenantsContract,
  ...fleetContract,
  ...drContract,
  ...reportsContract,
  ...pitrContract,
} as const;

/** Events pushed from the main process (Electron webContents.send | browser SSE). */
export const events = {
  ...tasksEvents,
  ...healthEvents,
  ...drEvents,
} as const;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type Input<M extends Method> = z.input<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}
