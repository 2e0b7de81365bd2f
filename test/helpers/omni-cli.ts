// The real omni binary against one test database, plus the --json helpers the report tests share.
import { type CliResult, runCli as runOmni } from './cli.ts';

/** Runs `omni …args` with DATABASE_URL pointing at the given database. */
export function runCli(
  databaseUrl: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return runOmni(args, { DATABASE_URL: databaseUrl, ...env });
}

/** Runs with --json and parses stdout; fails with the output when the command failed. */
export async function runCliJson<T = Record<string, unknown>>(
  databaseUrl: string,
  args: string[],
): Promise<T> {
  const res = await runCli(databaseUrl, [...args, '--json']);
  if (res.code !== 0)
    throw new Error(`omni ${args.join(' ')} exited ${res.code}\n${res.stdout}\n${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

/** The shape of a JSON value: keys and types, not values (for snapshots of the --json contract). */
export function jsonShape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? [jsonShape(value[0])] : [];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, jsonShape(v)]),
    );
  }
  return typeof value;
}
