// The CLI under bad input: `omni usage record` with fast-check-generated bad flag values (malformed,
// negative, beyond int4, NaN, wrong type, zone-less or impossible times, unknown providers), and SQL
// injection payloads in the filters of the report commands. Bad values exit non-zero, name the flag or
// field, and write nothing; payloads are data, never SQL. Each run spawns the real binary (~1 s), so the
// runs are few and four at a time.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import fc from 'fast-check';
import { sql } from 'slonik';
import { z } from 'zod';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, createBatchRow, instance } from '../helpers/fixtures.ts';
import { ledgerTotals } from '../helpers/invariants.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number | null;
  out: string;
}

function omni(databaseUrl: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['cli/bin/run.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Runs the jobs at most `n` at a time, in order. */
async function pooled<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

let tdb: TestDatabase;
const inst = instance();
let batch: string;

test.before(async () => {
  tdb = await freshDatabase('cli_fuzz');
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-cli',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '1' },
  });
  batch = await createBatchRow(tdb.db, inst);
});
test.after.always(async () => {
  await tdb?.drop();
});

const valid = () => [
  'usage',
  'record',
  '--provider=openai',
  '--model=gpt-cli',
  `--instance=${inst}`,
  `--batch=${batch}`,
  '--operation=chat',
  '--occurred-at=2026-11-21T10:00:00Z',
  `--idempotency-key=cli-${randomUUID()}`,
  '--input-tokens=100',
  '--output-tokens=10',
];

/** Replaces (or adds) one --flag=value in the valid command line. */
function withFlag(flag: string, value: string): string[] {
  const args = valid().filter((a) => !a.startsWith(`--${flag}=`));
  return [...args, `--${flag}=${value}`];
}

const countValues = fc.constantFrom(
  '-5',
  '2147483648',
  '99999999999999999999',
  'NaN',
  '1.5',
  '1e3',
  'abc',
  '0x10',
  '',
);
/** flag -> [bad values, names the error may use for it]. */
const FLAGS: Record<string, [fc.Arbitrary<string>, string[]]> = {
  'input-tokens': [countValues, ['--input-tokens', 'input_tokens']],
  'output-tokens': [countValues, ['--output-tokens', 'output_tokens']],
  'cached-input-tokens': [countValues, ['--cached-input-tokens', 'cached_input_tokens']],
  'reasoning-tokens': [countValues, ['--reasoning-tokens', 'reasoning_tokens']],
  requests: [countValues, ['--requests', 'requests']],
  'audio-seconds': [
    fc.constantFrom('-1', 'NaN', 'Infinity', '1e10', '99999999999', '1,5', 'abc'),
    ['--audio-seconds', 'audio_seconds'],
  ],
  'occurred-at': [
    fc.constantFrom(
      '2026-11-21T10:00:00',
      '2026-11-21 10:00',
      '2026-11-21T10:00:00+25:00',
      '2026-11-21T10:00:00 Europe/Paris',
      '2026-02-30T10:00:00Z',
      '1970-01-21T00:00:00Z',
      'yesterday',
    ),
    ['--occurred-at', 'occurred_at'],
  ],
  provider: [
    fc.constantFrom('azure', 'bedrock', '__proto__', 'constructor', 'openai;', ''),
    ['--provider', 'provider'],
  ],
  instance: [
    fc.constantFrom('not-a-uuid', "x'; DROP TABLE omni_costs.model_usage; --", '123'),
    ['--instance', 'instance_id'],
  ],
  batch: [fc.constantFrom('abc', "' OR '1'='1", randomUUID()), ['--batch', 'batch_job_id']],
  operation: [fc.constantFrom('summarise', "chat' OR 1=1 --", ''), ['--operation', 'operation']],
  model: [fc.constantFrom('', '   ', 'm'.repeat(201)), ['--model', 'model']],
  'idempotency-key': [fc.constantFrom('k'.repeat(201), '  '), ['--idempotency-key', 'idempotency_key']],
  'service-tier': [fc.constantFrom('t'.repeat(41), ' '), ['--service-tier', 'service_tier']],
};

const badFlag = fc
  .constantFrom(...Object.keys(FLAGS))
  .chain((flag) => FLAGS[flag][0].map((value) => ({ flag, value, names: FLAGS[flag][1] })));

test.serial('bad values of every usage flag exit non-zero, name the flag, and write nothing', async (t) => {
  const before = await ledgerTotals(tdb.db);
  const ok = await omni(tdb.url, valid());
  t.is(ok.code, 0, ok.out);
  const afterValid = await ledgerTotals(tdb.db);
  t.is(afterValid.usage_rows, before.usage_rows + 1);

  // Every flag once, then a few more drawn at random (each run costs a process start).
  const cases = [
    ...Object.entries(FLAGS).map(([flag, [values, names]], i) => ({
      flag,
      value: fc.sample(values, { numRuns: 1, seed: 20261203 + i })[0],
      names,
    })),
    ...fc.sample(badFlag, { numRuns: 6, seed: 20261203 }),
  ];
  const results = await pooled(cases, 4, async (c) => ({
    c,
    run: await omni(tdb.url, withFlag(c.flag, c.value)),
  }));
  for (const { c, run } of results) {
    const label = `--${c.flag}=${JSON.stringify(c.value)}`;
    t.not(run.code, 0, `${label} was accepted: ${run.out}`);
    t.true(
      c.names.some((n) => run.out.includes(n)),
      `${label}: the error does not name the field: ${run.out.trim().split('\n').slice(0, 3).join(' | ')}`,
    );
    t.notRegex(run.out, /\n\s+at .+\(.*:\d+:\d+\)/, `${label}: a stack trace instead of a clear error`);
  }
  t.deepEqual(await ledgerTotals(tdb.db), afterValid, 'nothing was written by the bad runs');
  t.log(`CLI runs: ${cases.length + 1}, flags covered: ${[...new Set(cases.map((c) => c.flag))].join(', ')}`);
});

test.serial('SQL injection payloads in flags and report filters are data, never SQL', async (t) => {
  const { db } = tdb;
  const payloads = {
    model: "a' OR '1'='1",
    message: "m'); DELETE FROM omni_costs.model_usage; --",
    key: "k'; TRUNCATE omni_costs.usage_keys; --",
  };
  const before = await ledgerTotals(db);
  const stored = await omni(tdb.url, [
    ...valid().filter((a) => !a.startsWith('--model=') && !a.startsWith('--idempotency-key=')),
    `--model=${payloads.model}`,
    `--message=${payloads.message}`,
    `--idempotency-key=${payloads.key}`,
  ]);
  t.is(stored.code, 0, stored.out);
  const row = await db.one(sql.type(
    z.object({ model: z.string(), message_id: z.string(), cost_status: z.string() }),
  )`
    SELECT model, message_id, cost_status::text FROM omni_costs.model_usage WHERE idempotency_key = ${payloads.key}`);
  t.deepEqual(row, { model: payloads.model, message_id: payloads.message, cost_status: 'unpriced' });

  const evil = "x'; DROP TABLE omni_costs.model_usage; --";
  const runs: [string[], string][] = [
    [['usage', 'record', '--provider=openai', '--model=m', `--instance=${evil}`], 'instance'],
    [['batch', 'create', `--instance=${evil}`, '--type=t'], 'instance'],
    [['batch', 'create', `--instance=${inst}`, "--type=t'); DROP TABLE omni_costs._batch_jobs; --"], 'type'],
    [['costs', `--instance=${evil}`], 'instance'],
    [['costs', `--since=2026-01-01'; DROP TABLE omni_costs.usage_daily; --`], 'since'],
    [['costs', `--tz=UTC'; DROP TABLE omni_costs.usage_daily; --`], 'tz'],
    [['costs', 'message', "m' OR '1'='1"], 'message'],
    [['pricing', 'list', "--model=a' OR '1'='1"], 'model'],
  ];
  const results = await pooled(runs, 4, async ([args]) => omni(tdb.url, args));
  results.forEach((run, i) => {
    const [args, flag] = runs[i];
    if (/command .* not found/i.test(run.out)) {
      t.log(`skipped (no such command here): omni ${args.slice(0, 2).join(' ')}`);
      return;
    }
    // A clear error naming the flag, or a normal run that matched nothing: never a SQL error.
    if (run.code !== 0)
      t.regex(run.out, new RegExp(flag.replace('-', '.?'), 'i'), `omni ${args.join(' ')}: ${run.out}`);
    t.notRegex(run.out, /syntax error|unterminated quoted|42601/i, `omni ${args.join(' ')}: ${run.out}`);
  });

  const tables = await db.oneFirst(sql.type(z.object({ ok: z.boolean() }))`
    SELECT to_regclass('omni_costs.model_usage') IS NOT NULL AND to_regclass('omni_costs.usage_keys') IS NOT NULL
       AND to_regclass('omni_costs._batch_jobs') IS NOT NULL AND to_regclass('omni_costs.usage_daily') IS NOT NULL AS ok`);
  t.true(tables, 'every table is still there');
  const after = await ledgerTotals(db);
  t.is(after.usage_rows, before.usage_rows + 1, 'only the one legitimate row was added');
  t.is(after.usage_keys, before.usage_keys + 1);
  const batchTypes = await db.anyFirst(sql.type(z.object({ job_type: z.string() }))`
    SELECT job_type FROM omni_costs._batch_jobs WHERE job_type LIKE 't''%'`);
  t.true(batchTypes.every((type) => type === "t'); DROP TABLE omni_costs._batch_jobs; --"));
});
