import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERRORS, httpStatus, WireError } from '../../src/shared/errors';

/** Every .ts/.tsx file under src, as text, but the table itself. */
function sources(dir = 'src'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && path !== join('src', 'shared', 'errors.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('the error codes', () => {
  it('give every code an HTTP error status and a meaning', () => {
    for (const code of ERROR_CODES) {
      expect(httpStatus(code), code).toBeGreaterThanOrEqual(400);
      expect(httpStatus(code), code).toBeLessThan(600);
      expect(ERRORS[code].meaning.length, code).toBeGreaterThan(10);
    }
  });
  it('map only unauthorized to 401, which the renderer reads as "not signed in"', () => {
    expect(ERROR_CODES.filter((c) => httpStatus(c) === 401)).toEqual(['unauthorized']);
  });
  it('list no code that nothing in src sends', () => {
    const text = sources().join('\n');
    const unused = ERROR_CODES.filter((c) => !text.includes(`'${c}'`));
    expect(unused).toEqual([]);
  });
  it('refuse a code outside the list on the wire', () => {
    expect(WireError.safeParse({ code: 'invalid_input', message: 'm' }).success).toBe(true);
    expect(WireError.safeParse({ code: 'made_up', message: 'm' }).success).toBe(false);
  });
});
