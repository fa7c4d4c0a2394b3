import type { z } from 'zod';
import type { Contract, Method, Output } from '../../shared/contract';
import type { App } from '../app';

export type Handler<M extends Method> = (input: z.output<Contract[M]['input']>, app: App) => Promise<Output<M>>;
export type Handlers<M extends Method> = { [K in M]: Handler<K> };
