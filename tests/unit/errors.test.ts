import { describe, expect, it } from 'vitest';
import { connectionLost, isConnectionLost, OpsError, toWireError } from '../../src/main/core/util/errors';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('lost sessions', () => {
  it('maps the SQLSTATEs and driver words of an ended session to connection_lost, with a hint', () => {
    for (const e of [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P02', 'terminating connection because of crash of another server process'),
      pgError('57P03', 'the database system is shutting down'),
      pgError('08006', 'connection failure'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
    ]) {
      expect(isConnectionLost(e), e.message).toBe(true);
      expect(toWireError(e)).toEqual({ code: 'connection_lost', message: `The database session was lost: ${e.message}`, hint: expect.stringMatching(/run it again/i) });
    }
  });

  it('a reset socket is a lost session from a database client, but not by its code alone on the wire', () => {
    const reset = pgError('ECONNRESET', 'read ECONNRESET');
    expect(isConnectionLost(reset)).toBe(true);
    expect(toWireError(pgError('EPIPE', 'write EPIPE')).code).toBe('error');
    expect(toWireError(connectionLost(reset)).code).toBe('connection_lost');
  });

  it('leaves other errors alone, and keeps an OpsError that is already connection_lost as it is', () => {
    expect(isConnectionLost(pgError('57014', 'canceling statement due to user request'))).toBe(false);
    expect(isConnectionLost(new OpsError('tool_failed', 'pg_dump exited with code 1'))).toBe(false);
    const lost = new OpsError('connection_lost', 'pg_dump lost its database session.');
    expect(connectionLost(lost)).toBe(lost);
  });
});
