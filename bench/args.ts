/** What every benchmark reads from its command line (`--name value`) and how it reports progress (stderr). */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export const log = (m: string): void => void process.stderr.write(`${m}\n`);
