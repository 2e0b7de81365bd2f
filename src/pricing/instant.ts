// Instants of price ranges as comparable strings. PostgreSQL keeps microseconds, JavaScript milliseconds:
// both are written as 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (UTC, six digits), which sorts chronologically.
import { InvalidInputError } from '../db/errors.ts';
import { scaleDecimal } from './decimal.ts';

const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;

/** An ISO UTC instant ('...Z', up to 6 fractional digits) in the canonical 6-digit form. */
export function canonicalInstant(iso: string): string {
  const match = ISO_UTC.exec(iso);
  if (!match) throw new Error(`not an ISO UTC instant: ${JSON.stringify(iso)}`);
  return `${match[1]}.${(match[2] ?? '').padEnd(6, '0')}Z`;
}

/** The canonical form, shortened for people: '...00.000000Z' -> '...00Z', '...00.123000Z' -> '...00.123Z'. */
export function displayInstant(instant: string): string {
  return instant.replace(/\.?0+Z$/, 'Z');
}

/** SQL that renders a timestamptz expression in the canonical form (pass the expression as SQL text). */
export const CANONICAL_INSTANT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

/** Two decimal strings denote the same number ('10.00' = '10'); NULLs are equal only to NULL. */
export function sameDecimal(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return scaleDecimal(a, 0) === scaleDecimal(b, 0);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * A time given on the command line: 'now', a date 'YYYY-MM-DD' (00:00 UTC) or an ISO 8601 date-time WITH a
 * zone. Returns the ISO UTC string; throws InvalidInputError naming the flag otherwise.
 */
export function parseTimeFlag(flag: string, value: string): string {
  const text = value.trim();
  if (text === 'now') return new Date().toISOString();
  const iso = DATE.test(text) ? `${text}T00:00:00Z` : text;
  const ms = DATE.test(text) || DATE_TIME.test(text) ? Date.parse(iso) : Number.NaN;
  const day = text.slice(0, 10);
  const valid = !Number.isNaN(ms) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
  if (!valid) {
    throw new InvalidInputError(
      flag,
      `must be a date YYYY-MM-DD (00:00 UTC), an ISO 8601 time with a zone such as 2026-12-03T14:00:00Z, or now (got "${value}")`,
    );
  }
  // Keep microseconds, which Date would drop: rebuild from the text when it is already UTC.
  const micro = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{4,6})Z$/.exec(text);
  return micro ? `${micro[1]}.${micro[2]}Z` : new Date(ms).toISOString();
}
