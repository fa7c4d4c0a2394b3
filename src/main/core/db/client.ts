import pg from 'pg';

/**
 * The server may end any session at any moment (restart, failover, pg_terminate_backend, a network drop).
 * node-postgres then emits 'error' on the client, and an 'error' event nobody listens to ends the process.
 * So every client the console opens, alone or in a pool, gets a listener here. Nothing is lost by ignoring
 * the event: a statement in flight fails with the error, and a later one with "not queryable"; both are
 * `connection_lost` (util/errors.ts). Pools drop the dead client themselves.
 */
export function guardClient<C extends pg.ClientBase>(client: C): C {
  client.on('error', () => {});
  return client;
}

/** A connected, guarded client; closed again when connecting fails. */
export async function connectClient(config: pg.ClientConfig): Promise<pg.Client> {
  const client = guardClient(new pg.Client(config));
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  return client;
}
