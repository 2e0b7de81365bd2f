// call_cost_usd() is cost_lines() summed, written as one inlinable SQL expression for record_usage(). The
// two must agree to the last digit and the same scale on any quantities and any price row: checked here on
// 5,000 random calls priced with 5,000 random price rows (seeded, so a failure can be replayed).
import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('call_cost');
});
test.after.always(async () => {
  await d?.drop();
});

const outcome = z.object({
  n: z.number(),
  differ: z.number(),
  examples: z.array(z.string()).nullable(),
  lines: z.array(z.string()),
});

test('call_cost_usd() equals the sum of cost_lines() on random calls and prices, digit for digit', async (t) => {
  const r = await d.db.transaction(async (tx) => {
    await tx.query(sql.unsafe`SELECT setseed(0.42)`);
    return tx.one(sql.type(outcome)`
      WITH q AS MATERIALIZED (
        SELECT i, CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 300000)::int END AS input,
               CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 9000)::int END AS output
          FROM generate_series(1, 5000) i
      ), q2 AS MATERIALIZED (
        SELECT q.*, CASE WHEN random() < 0.5 THEN (q.input * random() * 0.3)::int END AS cached,
               CASE WHEN random() < 0.3 THEN (q.input * random() * 0.2)::int END AS cw,
               CASE WHEN random() < 0.3 THEN (q.output * random() * 0.5)::int END AS reasoning,
               CASE WHEN random() < 0.3 THEN (q.input * random() * 0.2)::int END AS in_audio,
               CASE WHEN random() < 0.2 THEN (q.output * random() * 0.3)::int END AS out_audio,
               CASE WHEN random() < 0.3 THEN (q.input * random() * 0.2)::int END AS in_image,
               CASE WHEN random() < 0.2 THEN (random() * 5)::int END AS web,
               CASE WHEN random() < 0.2 THEN (random() * 5)::int END AS images,
               CASE WHEN random() < 0.5 THEN round((random() * 600)::numeric, 3) END AS secs,
               CASE WHEN random() < 0.1 THEN 0 ELSE 1 + (random() * 3)::int END AS requests
          FROM q
      ), calls AS MATERIALIZED (
        SELECT q2.*,
               CASE WHEN cached IS NOT NULL AND in_audio IS NOT NULL AND random() < 0.5 THEN least(cached, in_audio) / 2 END AS cached_audio,
               CASE WHEN cw IS NOT NULL AND random() < 0.5 THEN (cw * random())::int END AS cw1h
          FROM q2
      ), prices AS MATERIALIZED (
        SELECT i, jsonb_populate_record(NULL::omni_costs.model_pricing, jsonb_build_object(
          'input_usd_per_mtok', CASE WHEN random() < 0.8 THEN round((random() * 20)::numeric, 4) END,
          'cached_input_usd_per_mtok', CASE WHEN random() < 0.4 THEN round((random() * 5)::numeric, 5) END,
          'cache_write_5m_usd_per_mtok', CASE WHEN random() < 0.3 THEN round((random() * 5)::numeric, 3) END,
          'cache_write_1h_usd_per_mtok', CASE WHEN random() < 0.3 THEN round((random() * 5)::numeric, 3) END,
          'output_usd_per_mtok', CASE WHEN random() < 0.7 THEN round((random() * 60)::numeric, 3) END,
          'reasoning_usd_per_mtok', CASE WHEN random() < 0.2 THEN round((random() * 60)::numeric, 3) END,
          'input_audio_usd_per_mtok', CASE WHEN random() < 0.3 THEN round((random() * 60)::numeric, 3) END,
          'cached_input_audio_usd_per_mtok', CASE WHEN random() < 0.2 THEN round((random() * 6)::numeric, 3) END,
          'output_audio_usd_per_mtok', CASE WHEN random() < 0.2 THEN round((random() * 60)::numeric, 3) END,
          'input_image_usd_per_mtok', CASE WHEN random() < 0.2 THEN round((random() * 6)::numeric, 3) END,
          'audio_usd_per_hour', CASE WHEN random() < 0.3 THEN round((random() * 2)::numeric, 4) END,
          'audio_min_seconds', CASE WHEN random() < 0.5 THEN round((random() * 10)::numeric) ELSE 0 END,
          'audio_increment_seconds', CASE WHEN random() < 0.3 THEN (ARRAY[1, 15, 60, 0.5])[1 + (random() * 3)::int] END,
          'usd_per_image', CASE WHEN random() < 0.2 THEN round((random() * 0.2)::numeric, 4) END,
          'usd_per_request', CASE WHEN random() < 0.1 THEN round((random() * 0.01)::numeric, 5) END,
          'web_search_usd_per_kcall', CASE WHEN random() < 0.2 THEN round((random() * 35)::numeric, 2) END)) AS p
          FROM generate_series(1, 5000) i
      ), both_ways AS (
        SELECT l.total AS by_lines, l.names,
               omni_costs.call_cost_usd(c.input, c.output, c.cached, c.cw, c.cw1h, c.reasoning, c.in_audio,
                 c.cached_audio, c.out_audio, c.in_image, c.web, c.images, c.secs, c.requests,
                 (p.p).input_usd_per_mtok, (p.p).cached_input_usd_per_mtok, (p.p).cache_write_5m_usd_per_mtok,
                 (p.p).cache_write_1h_usd_per_mtok, (p.p).output_usd_per_mtok, (p.p).reasoning_usd_per_mtok,
                 (p.p).input_audio_usd_per_mtok, (p.p).cached_input_audio_usd_per_mtok,
                 (p.p).output_audio_usd_per_mtok, (p.p).input_image_usd_per_mtok, (p.p).audio_usd_per_hour,
                 (p.p).audio_min_seconds, (p.p).audio_increment_seconds, (p.p).usd_per_image,
                 (p.p).usd_per_request, (p.p).web_search_usd_per_kcall) AS inline
          FROM calls c
          JOIN prices p ON p.i = c.i
         CROSS JOIN LATERAL (
           SELECT trim_scale(coalesce(sum(x.amount_usd), 0)) AS total, array_agg(x.line) AS names
             FROM omni_costs.cost_lines(ROW(c.input, c.output, c.cached, c.cw, c.cw1h, c.reasoning, c.in_audio,
                    c.cached_audio, c.out_audio, c.in_image, c.web, c.images, c.secs, c.requests)::omni_costs.usage_quantities,
                    p.p) x) l
      )
      SELECT count(*)::int AS n,
             count(*) FILTER (WHERE by_lines::text IS DISTINCT FROM inline::text)::int AS differ,
             (array_agg(format('%s by lines, %s inline', by_lines, inline))
                FILTER (WHERE by_lines::text IS DISTINCT FROM inline::text))[1:5] AS examples,
             (SELECT array_agg(DISTINCT n ORDER BY n) FROM both_ways, unnest(names) n) AS lines
        FROM both_ways`);
  });
  t.is(r.n, 5000);
  t.is(r.differ, 0, `differences: ${r.examples?.join('; ')}`);
  // Every kind of line occurred, so every term of the expression was compared.
  t.deepEqual(r.lines, [
    'audio_duration',
    'cache_read',
    'cache_read_audio',
    'cache_write_1h',
    'cache_write_5m',
    'images',
    'input',
    'input_audio',
    'input_image',
    'output',
    'output_audio',
    'reasoning',
    'requests',
    'web_search',
  ]);
});
