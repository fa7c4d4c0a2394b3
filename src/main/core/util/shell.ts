/**
 * Text written for a shell (restore.sh, cron lines, commands in hints). Every value goes through
 * shellQuote: one single-quoted word, `'` written as `'\''`, so nothing inside it is ever expanded,
 * whatever it holds ($( ), backquotes, newlines, globs).
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Comment lines: each line of `text` prefixed with "# ". A value holding a line break (a schema name
 * may) stays inside the comment instead of starting a command line of its own.
 */
export function shellComment(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => (l ? `# ${l}` : '#'))
    .join('\n');
}

/** A cron command: cron turns an unescaped % into a newline, so every % is written as \%. */
export function cronEscape(command: string): string {
  return command.replace(/%/g, '\\%');
}
