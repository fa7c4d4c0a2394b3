/**
 * Loaded into a forked core host by tests/integration/core-host.test.ts (`--import`): on a
 * { type: 'test-crash' } message the host throws outside any handler, as a bug in the core would.
 * Messages are handled in order, so a call sent after it is still pending when the host dies.
 */
process.on('message', (message) => {
  if (message && typeof message === 'object' && (message as { type?: unknown }).type === 'test-crash') {
    throw new Error('core crash (test)');
  }
});
