// omni costs through the real binary: the table, --json (shape snapshotted), --tz day boundaries,
// --strict, --csv, --chart, --html and the empty state.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { jsonShape, runCli, runCliJson } from '../helpers/omni-cli.ts';

let tdb: TestDatabase;
let empty: TestDatabase;
const inst = instance();

interface Report {
  totals: { cost_usd: string; calls: number; unpriced_calls: number };
  breakdown: { key: string; cost_usd: string; calls: number }[];
  daily: { day: string; cost_usd: string }[];
  warnings: { unpriced_calls: number; top_unpriced: { model: string } | null };
}

test.before(async () => {
  [tdb, empty] = await Promise.all([freshDatabase('cli_costs'), freshDatabase('cli_empty')]);
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-4o-mini',
    from: '2024-01-01',
    prices: { input_usd_per_mtok: '0.15', output_usd_per_mtok: '0.60' },
  });
  await addPrice(tdb.db, {
    provider: 'groq',
    model: 'whisper-large-v3',
    from: '2024-01-01',
    prices: { audio_usd_per_hour: '0.111', audio_min_seconds: '10' },
  });
  const base = { instance_id: inst, input_tokens: 1000, output_tokens: 100 };
  await recordUsage(tdb.db, [
    // 10:00 UTC = 15:30 in Kolkata, same day; 20:00 UTC = 01:30 the next day in Kolkata.
    {
      ...base,
      provider: 'openai',
      model: 'gpt-4o-mini',
      operation: 'chat',
      occurred_at: '2026-11-30T10:00:00Z',
    },
    {
      ...base,
      provider: 'openai',
      model: 'gpt-4o-mini',
      operation: 'chat',
      occurred_at: '2026-11-30T20:00:00Z',
    },
    {
      instance_id: inst,
      provider: 'groq',
      model: 'whisper-large-v3',
      operation: 'transcription',
      input_tokens: null,
      output_tokens: null,
      audio_seconds: 30,
      occurred_at: '2026-12-02T09:00:00Z',
    },
  ]);
  await refreshRollups(tdb.db);
});
test.after.always(async () => Promise.all([tdb?.drop(), empty?.drop()]));

test.serial('prints the breakdown table, the total, the warning line and the freshness line', async (t) => {
  const res = await runCli(tdb.url, ['costs']);
  t.is(res.code, 0, res.stderr);
  t.regex(res.stdout, /^Costs by day · all time · UTC days · all instances/m);
  t.regex(res.stdout, /^day\s+calls\s+cost_usd/m);
  t.regex(res.stdout, /^2026-11-30\s+2\s+\$0\.000420/m);
  t.regex(res.stdout, /^2026-12-02\s+1\s+\$0\.000925/m);
  t.regex(
    res.stdout,
    /^Total: \$0\.001345 over 3 calls \(3 priced, 0 estimated, 0 unpriced, 0 not billed\)/m,
  );
  t.regex(res.stdout, /All costs are exact/);
  t.regex(res.stdout, /rollups refreshed .* plus 0 calls recorded since/);
});

test.serial('--json returns the report with snake_case keys and exact decimal strings', async (t) => {
  const r = await runCliJson<Report>(tdb.url, ['costs', '--by', 'model']);
  t.is(r.totals.cost_usd, '0.001345');
  t.deepEqual(
    r.breakdown.map((b) => [b.key, b.cost_usd]),
    [
      ['groq/whisper-large-v3', '0.000925'],
      ['openai/gpt-4o-mini', '0.00042'],
    ],
  );
  t.snapshot(jsonShape(r), 'omni costs --json');
});

test.serial('--tz uses that zone’s day boundaries exactly (Asia/Kolkata, +05:30)', async (t) => {
  const utc = await runCliJson<Report>(tdb.url, ['costs']);
  t.deepEqual(
    utc.daily.filter((d) => d.cost_usd !== '0').map((d) => [d.day, d.cost_usd]),
    [
      ['2026-11-30', '0.00042'],
      ['2026-12-02', '0.000925'],
    ],
  );
  const ist = await runCliJson<Report>(tdb.url, ['costs', '--tz', 'Asia/Kolkata']);
  t.deepEqual(
    ist.daily.map((d) => [d.day, d.cost_usd]),
    [
      ['2026-11-30', '0.00021'],
      ['2026-12-01', '0.00021'],
      ['2026-12-02', '0.000925'],
    ],
  );
  const since = await runCliJson<Report>(tdb.url, [
    'costs',
    '--tz',
    'Asia/Kolkata',
    '--since',
    '2026-12-01',
    '--until',
    '2026-12-01',
  ]);
  t.is(since.totals.calls, 1, 'the 20:00 UTC call is on 1 December in Kolkata');
  t.is(since.totals.cost_usd, '0.00021');
});

test.serial('an unknown --tz is refused with a message naming --tz', async (t) => {
  const res = await runCli(tdb.url, ['costs', '--tz', 'Mars/Olympus_Mons']);
  t.is(res.code, 2);
  t.regex(res.stderr, /--tz: unknown time zone "Mars\/Olympus_Mons"/);
  const bad = await runCli(tdb.url, ['costs', '--since', 'yesterday']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--since: must be a date/);
});

test.serial('--strict exits 0 when every cost is exact and 3 when a call is unpriced', async (t) => {
  t.is((await runCli(tdb.url, ['costs', '--strict'])).code, 0);
  await recordUsage(tdb.db, [
    {
      instance_id: inst,
      provider: 'openai',
      model: 'gpt-9-unknown',
      input_tokens: 10,
      output_tokens: 1,
      occurred_at: '2026-12-02T10:00:00Z',
    },
  ]);
  const res = await runCli(tdb.url, ['costs', '--strict']);
  t.is(res.code, 3);
  t.regex(
    res.stdout,
    /Warning: 1 unpriced call \(cost unknown, NOT in the total; most: openai\/gpt-9-unknown, 1 call\)/,
  );
  t.regex(res.stderr, /--strict: 1 calls are unpriced or estimated/);
  const json = await runCli(tdb.url, ['costs', '--strict', '--json']);
  t.is(json.code, 3);
  const r = JSON.parse(json.stdout) as Report;
  t.is(r.warnings.unpriced_calls, 1);
  t.is(r.warnings.top_unpriced?.model, 'gpt-9-unknown');
  const byModel = await runCli(tdb.url, ['costs', '--by', 'model']);
  t.regex(
    byModel.stdout,
    /^openai\/gpt-9-unknown\s+1\s+unknown/m,
    'an unpriced group shows an unknown cost, not $0',
  );
});

test.serial(
  '--csv prints exact amounts; --chart draws bars; --html writes a self-contained report',
  async (t) => {
    const csv = await runCli(tdb.url, ['costs', '--csv', '--by', 'operation']);
    t.is(csv.code, 0);
    t.deepEqual(csv.stdout.trim().split('\n'), [
      'operation,calls,cost_usd,share_pct,estimated_calls,unpriced_calls,input_tokens,output_tokens,audio_seconds',
      'transcription,1,0.000925,68.8,0,0,0,0,30',
      'chat,2,0.00042,31.2,0,0,2000,200,0',
      'other,1,0,0.0,0,1,10,1,0',
    ]);
    const chart = await runCli(tdb.url, ['costs', '--chart']);
    t.regex(chart.stdout, /^2026-12-02 │█{40} \$0\.000925/m);
    t.regex(chart.stdout, /^2026-11-30 │█{18} +\$0\.000420/m);
    t.regex(
      chart.stdout,
      /^2026-12-01 │ {40} \$0\.000000 {2}\(0\)/m,
      'a quiet day between two busy ones is shown',
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'omni-html-')), 'costs.html');
    const html = await runCli(tdb.url, ['costs', '--html', file]);
    t.is(html.code, 0);
    const page = fs.readFileSync(file, 'utf8');
    t.regex(page, /^<!doctype html>/);
    t.regex(page, /<svg [^>]*aria-label="Cost per day"/);
    t.regex(page, /<td>2026-11-30<\/td>/);
    t.regex(page, /1 unpriced call/);
    t.notRegex(page, /<script|https?:\/\/(?!www\.w3\.org)/, 'no scripts, nothing fetched');
  },
);

test('an empty database says what to do next', async (t) => {
  const res = await runCli(empty.url, ['costs']);
  t.is(res.code, 0);
  t.regex(res.stdout, /^No usage recorded yet\. Record with: omni usage record/m);
  const filtered = await runCli(empty.url, ['costs', '--since', '2026-01-01']);
  t.regex(filtered.stdout, /^No usage recorded for from 2026-01-01T00:00:00Z/m);
});
