// When recording fails the provider call still succeeds and the failure is reported; a retried write
// keeps its idempotency key and stores the call once.
import test from 'ava';
import { type CommonQueryMethods, sql } from 'slonik';
import type { UsageRowInput } from '../../src/ingest/usage-row.ts';
import {
  type CostCaptureError,
  createCostFetch,
  RecordFailedError,
  recorderFor,
} from '../../src/instrument/index.ts';
import { fixtureResponse } from '../capture/fixtures.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { instance } from '../helpers/fixtures.ts';
import { startUpstream } from './upstream.ts';

const OPENAI_CHAT = 'https://api.openai.com/v1/chat/completions';
const post = (model: string) => ({ method: 'POST', body: JSON.stringify({ model, messages: [] }) });

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('instrument_failures');
});
test.after.always(async () => {
  await d?.drop();
});

/** A connection that loses its answer: the statement runs (and commits), then the caller sees a reset. */
function losingAnswers(db: CommonQueryMethods, times: number): CommonQueryMethods {
  let left = times;
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'any') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<CommonQueryMethods['any']>) => {
        const result = await target.any(...args);
        if (left-- > 0) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        return result;
      };
    },
  });
}

const countKey = (key: string) =>
  d.db.oneFirst(sql.unsafe`SELECT count(*)::int FROM omni_costs.model_usage WHERE idempotency_key = ${key}`);

test('a failing recorder still returns the provider response and reports the failure to onError', async (t) => {
  const body = fixtureResponse('openai/chat_completions_gpt4o_cached_prompt.json');
  const upstream = await startUpstream({ json: body });
  t.teardown(() => upstream.close());
  const reported: Array<[CostCaptureError, readonly UsageRowInput[]]> = [];
  const costFetch = createCostFetch({
    record: async () => {
      throw new Error('database is down');
    },
    context: { instance_id: instance() },
    fetch: upstream.fetch,
    onError: (error, rows) => reported.push([error, rows]),
  });

  const res = await costFetch(OPENAI_CHAT, post('gpt-4o'));
  t.is(res.status, 200);
  t.deepEqual(await res.json(), body);
  await costFetch.drain();

  t.is(reported.length, 1);
  const [error, rows] = reported[0];
  t.is(error.stage, 'record');
  t.regex(
    error.message,
    /could not record 1 usage row \(openai gpt-4o-2024-08-06, key [0-9a-f-]{36}\): database is down/,
  );
  t.is((error.cause as Error).message, 'database is down');
  t.is(rows.length, 1);
  t.like(rows[0], { provider: 'openai', requests: 1 });
});

test.serial('the default onError writes the row count and the reason to stderr', async (t) => {
  const upstream = await startUpstream({
    json: fixtureResponse('openai/chat_completions_gpt4o_cached_prompt.json'),
  });
  t.teardown(() => upstream.close());
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.join(' '));
  t.teardown(() => {
    console.error = original;
  });
  const costFetch = createCostFetch({
    record: () => Promise.reject(new Error('pool is closed')),
    context: { instance_id: instance() },
    fetch: upstream.fetch,
  });
  await (await costFetch(OPENAI_CHAT, post('gpt-4o'))).json();
  await costFetch.drain();
  t.is(lines.length, 1);
  t.regex(lines[0], /^omni-costs: could not record 1 usage row .*: pool is closed \[1 usage row\]$/);
});

test('a retried record keeps its idempotency key and stores the call once', async (t) => {
  const upstream = await startUpstream({
    json: fixtureResponse('openai/chat_completions_gpt4o_cached_prompt.json'),
  });
  t.teardown(() => upstream.close());
  const recorded: unknown[] = [];
  const record = recorderFor(losingAnswers(d.db, 1), { backoffMs: 5 });
  const costFetch = createCostFetch({
    record: async (rows) => recorded.push(...(await record(rows))),
    context: { instance_id: instance(), idempotencyKey: () => 'retry-once' },
    fetch: upstream.fetch,
    onError: (e) => t.fail(e.message),
  });

  await (await costFetch(OPENAI_CHAT, post('gpt-4o'))).json();
  await costFetch.drain();

  t.is(await countKey('retry-once'), 1);
  t.like(recorded[0], { idempotency_key: 'retry-once', replayed: true });
  t.is(record.queued(), 0);
});

test('recorderFor gives the same key to rows without one on every attempt', async (t) => {
  const record = recorderFor(losingAnswers(d.db, 2), { backoffMs: 1 });
  const [row] = await record([
    { instance_id: instance(), provider: 'openai', model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 2 },
  ]);
  t.true(row.replayed);
  t.is(await countKey(row.idempotency_key), 1);
});

test('recorderFor gives up after its retries, and never retries a bad row', async (t) => {
  const row = { idempotency_key: 'never', instance_id: instance(), provider: 'openai', model: 'gpt-4o-mini' };
  const down = recorderFor(losingAnswers(d.db, 100), { retries: 2, backoffMs: 1 });
  const gaveUp = await t.throwsAsync(down([row]), { instanceOf: RecordFailedError });
  t.is(gaveUp?.attempts, 3);
  t.regex(gaveUp?.message ?? '', /gave up after 3 attempts/);

  const bad = await t.throwsAsync(recorderFor(d.db)([{ ...row, instance_id: 'nope' }]), {
    instanceOf: RecordFailedError,
  });
  t.is(bad?.attempts, 1);
  t.regex(bad?.message ?? '', /instance_id/);
});

test('recorderFor bounds its retry queue', async (t) => {
  const unreachable = {
    any: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
  } as unknown as CommonQueryMethods;
  const record = recorderFor(unreachable, { retries: 3, backoffMs: 100, maxQueuedRows: 1 });
  const rowFor = (key: string) => ({
    idempotency_key: key,
    instance_id: instance(),
    provider: 'openai',
    model: 'gpt-4o-mini',
  });
  const first = t.throwsAsync(record([rowFor('q-1')]), {
    instanceOf: RecordFailedError,
    message: /gave up after 4 attempts/,
  });
  while (record.queued() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  t.is(record.queued(), 1);
  const second = await t.throwsAsync(record([rowFor('q-2')]), { instanceOf: RecordFailedError });
  t.regex(second?.message ?? '', /ECONNREFUSED.*not retried: the retry queue is full, 1 rows waiting/);
  t.is(second?.attempts, 1);
  await first;
  t.is(record.queued(), 0);
});

test('HTTP error responses are not recorded by default, and recorded as requests = 0 with recordErrors', async (t) => {
  const body = fixtureResponse('groq/error_429_rate_limit.json');
  const upstream = await startUpstream({ status: 429, json: body });
  t.teardown(() => upstream.close());
  const rows: UsageRowInput[] = [];
  const options = {
    record: async (r: UsageRowInput[]) => void rows.push(...r),
    context: { instance_id: instance(), idempotencyKey: () => 'same-key-for-the-logical-call' },
    fetch: upstream.fetch,
    onError: (e: CostCaptureError) => t.fail(e.message),
  };
  const url = 'https://api.groq.com/openai/v1/chat/completions';

  const quiet = createCostFetch(options);
  const res = await quiet(url, post('llama-3.3-70b-versatile'));
  t.is(res.status, 429);
  t.deepEqual(await res.json(), body);
  await quiet.drain();
  t.is(rows.length, 0);

  const loud = createCostFetch({ ...options, recordErrors: true });
  await (await loud(url, post('llama-3.3-70b-versatile'))).json();
  await loud.drain();
  t.is(rows.length, 1);
  t.like(rows[0], {
    provider: 'groq',
    model: 'llama-3.3-70b-versatile',
    requests: 0,
    input_tokens: 0,
    raw_usage: { http_status: 429 },
  });
  t.not(
    rows[0].idempotency_key,
    'same-key-for-the-logical-call',
    'a refused attempt never takes the call key',
  );
});

test('an unreadable body is recorded as a call of unknown usage and reported', async (t) => {
  const upstream = await startUpstream({
    json: { choices: [], usage: { prompt_tokens: -3, completion_tokens: 1 } },
  });
  t.teardown(() => upstream.close());
  const rows: UsageRowInput[] = [];
  const errors: CostCaptureError[] = [];
  const costFetch = createCostFetch({
    record: async (r) => void rows.push(...r),
    context: { instance_id: instance() },
    fetch: upstream.fetch,
    onError: (e) => errors.push(e),
  });
  await (await costFetch(OPENAI_CHAT, post('gpt-4o-mini'))).json();
  await costFetch.drain();
  t.is(rows.length, 1);
  t.like(rows[0], { model: 'gpt-4o-mini', input_tokens: null, output_tokens: null, requests: 1 });
  t.is(errors[0]?.stage, 'capture');
  t.regex(errors[0]?.message ?? '', /usage\.prompt_tokens/);
});

test('a call without an instance id is reported, not recorded', async (t) => {
  const upstream = await startUpstream({
    json: fixtureResponse('openai/chat_completions_gpt4o_cached_prompt.json'),
  });
  t.teardown(() => upstream.close());
  const errors: CostCaptureError[] = [];
  let recorded = 0;
  const costFetch = createCostFetch({
    record: async (r) => {
      recorded += r.length;
    },
    fetch: upstream.fetch,
    onError: (e) => errors.push(e),
  });
  await (await costFetch(OPENAI_CHAT, post('gpt-4o'))).json();
  await costFetch.drain();
  t.is(recorded, 0);
  t.is(errors[0]?.stage, 'context');
  t.regex(errors[0]?.message ?? '', /no instance_id/);
});
