// The time window of a report: --since/--until given as a calendar date (a day in the report's time zone)
// or as an ISO 8601 instant with a zone. The conversion to instants happens in SQL, in the report's zone,
// so day boundaries are exact (DST included).
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { InvalidInputError } from '../db/errors.ts';

export interface Bound {
  /** A calendar day: since = its start, until = the end of that day (inclusive). */
  date: string | null;
  /** An exact instant (since inclusive, until exclusive), ISO 8601 with a zone. */
  instant: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function parseBound(flag: string, value: string | undefined): Bound {
  if (value === undefined || value === '') return { date: null, instant: null };
  if (DATE.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
      throw new InvalidInputError(flag, `"${value}" is not a calendar date`);
    }
    return { date: value, instant: null };
  }
  if (INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return { date: null, instant: value };
  throw new InvalidInputError(
    flag,
    `must be a date (2026-12-01) or an ISO 8601 time with a zone (2026-12-01T08:00:00Z), got "${value}"`,
  );
}

/** Names PostgreSQL accepts for UTC itself: with these the reports read the UTC-day rollups. */
export const UTC_NAMES = new Set([
  'UTC',
  'Etc/UTC',
  'Etc/UCT',
  'UCT',
  'Etc/Universal',
  'Universal',
  'Zulu',
  'Etc/Zulu',
]);

/** Checks an IANA zone name against pg_timezone_names (abbreviations such as IST are refused: ambiguous). */
export async function assertTimeZone(db: CommonQueryMethods, tz: string): Promise<void> {
  const known = await db.oneFirst(
    sql.type(
      z.object({ known: z.boolean() }),
    )`SELECT EXISTS (SELECT FROM pg_timezone_names WHERE name = ${tz}) AS known`,
  );
  if (!known) {
    throw new InvalidInputError(
      '--tz',
      `unknown time zone "${tz}"; use an IANA zone name such as UTC, Europe/Berlin or Asia/Kolkata`,
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An instance id must be a uuid; saying so beats a PostgreSQL cast error. */
export function assertUuid(flag: string, value: string | null | undefined): void {
  if (value && !UUID.test(value)) throw new InvalidInputError(flag, `must be a uuid (got "${value}")`);
}
