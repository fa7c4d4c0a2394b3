import { redact } from './redact';

export type Logger = (message: string) => void;

/** Logs go to stderr (stdout belongs to --json output), always redacted. */
export const stderrLogger: Logger = (message) => {
  process.stderr.write(`${redact(message)}\n`);
};

export const silentLogger: Logger = () => {};
