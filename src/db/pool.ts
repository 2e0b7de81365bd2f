// The slonik pool: numeric stays an exact decimal string, int8 must be a safe integer, timestamptz is a
// Date, rows are validated against the query's zod schema, and sessions run in UTC.
import {
  createPool,
  createTypeParserPreset,
  type DatabasePool,
  type Interceptor,
  type QueryResultRow,
  SchemaValidationError,
} from 'slonik';

export type Db = DatabasePool;

const typeParsers = [
  ...createTypeParserPreset().filter((p) => !['int8', 'numeric', 'timestamptz'].includes(p.name)),
  { name: 'numeric', parse: (value: string) => value },
  {
    name: 'int8',
    parse: (value: string) => {
      const n = Number(value);
      if (!Number.isSafeInteger(n))
        throw new RangeError(`int8 value ${value} is beyond Number.MAX_SAFE_INTEGER`);
      return n;
    },
  },
  { name: 'timestamptz', parse: (value: string) => new Date(value) },
];

const validateRows: Interceptor = {
  name: 'omni-costs/validate-rows',
  transformRowAsync: async (context, query, row) => {
    const parser = context.resultParser;
    if (!parser) return row;
    const result = await parser['~standard'].validate(row);
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as QueryResultRow;
  },
};

/** Adds the session settings we rely on (UTC, search_path) to a connection string. */
export function sessionUrl(url: string): string {
  const u = new URL(url);
  const ours = '-c TimeZone=UTC -c search_path=omni_costs,public';
  const existing = u.searchParams.get('options');
  u.searchParams.set('options', existing ? `${existing} ${ours}` : ours);
  return u.toString();
}

export async function createDb(url: string, options: { maximumPoolSize?: number } = {}): Promise<Db> {
  return createPool(sessionUrl(url), {
    typeParsers,
    interceptors: [validateRows],
    maximumPoolSize: options.maximumPoolSize ?? 10,
    statementTimeout: 'DISABLE_TIMEOUT',
    idleTimeout: 5_000,
    connectionTimeout: 30_000,
    // slonik's default reset (DISCARD ALL) after each use throws away the cached plans of record_usage() and
    // the pricing functions; we leave no session state behind (only transaction-scoped settings).
    resetConnection: async () => {},
  });
}
