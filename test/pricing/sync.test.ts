// syncPrices(): the real catalogue in one transaction, idempotent; a changed catalogue price closes the old
// range at the change and opens a new one; rows sync did not write are never closed; audit rows.
import test from 'ava';
import { sql } from 'slonik';
import type { AliasRule, EstimateRule } from '../../src/pricing/catalogue.ts';
import { PRICE_FIELDS, type PriceRow } from '../../src/pricing/price-row.ts';
import { setPrice } from '../../src/pricing/set-price.ts';
import { type DesiredPrices, loadDesiredPrices, syncPrices } from '../../src/pricing/sync.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { recordCall } from './calls.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('pricing_sync');
});
test.after.always(async () => {
  await d?.drop();
});

function row(model: string, from: string, until: string | null, prices: Partial<PriceRow>): PriceRow {
  const empty = Object.fromEntries(PRICE_FIELDS.map((f) => [f, null])) as Record<
    (typeof PRICE_FIELDS)[number],
    null
  >;
  return {
    provider: 'openai',
    model,
    service_tier: 'standard',
    min_input_tokens: 0,
    effective_from: from,
    effective_until: until,
    ...empty,
    source: 'test catalogue',
    checked_on: '2026-01-01',
    note: null,
    ...prices,
  };
}

const only = (
  rows: PriceRow[],
  aliases: AliasRule[] = [],
  estimates: EstimateRule[] = [],
): DesiredPrices => ({
  rows,
  aliases,
  estimates,
});

test.serial('the real catalogue: the first run opens every row, the second changes nothing', async (t) => {
  const desired = loadDesiredPrices();
  const dry = await syncPrices(d.db, { dryRun: true });
  t.is(dry.opened, desired.rows.length);
  t.true(dry.changes.every((c) => c.pricing_id === null));
  t.is(
    await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_pricing`),
    0,
    'a dry run writes nothing',
  );

  const first = await syncPrices(d.db);
  t.like(first, { dry_run: false, opened: desired.rows.length, closed: 0, unchanged: 0 });
  t.is(first.aliases.added, desired.aliases.length);
  t.is(first.estimates.added, desired.estimates.length);
  t.deepEqual(first.conflicts, []);
  t.true(first.changes.every((c) => c.action === 'open' && typeof c.pricing_id === 'number'));
  t.is(await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_pricing`), desired.rows.length);
  t.is(
    await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.price_changes WHERE action = 'sync_open'`),
    desired.rows.length,
  );

  const second = await syncPrices(d.db);
  t.like(second, { opened: 0, closed: 0, unchanged: desired.rows.length });
  t.deepEqual(second.changes, []);
  t.like(second.aliases, { added: 0, updated: 0, unchanged: desired.aliases.length });
  t.like(second.estimates, { added: 0, updated: 0, unchanged: desired.estimates.length });

  // Spot checks of the history: gpt-4o at $5/$15 before 2024-10-02, Groq Whisper's 10 s minimum.
  const gpt4o = (await d.db.any(sql.unsafe`
    SELECT effective_from, effective_until, input_usd_per_mtok, output_usd_per_mtok FROM omni_costs.price_history
     WHERE provider = 'openai' AND model = 'gpt-4o' ORDER BY effective_from`)) as Record<string, unknown>[];
  t.deepEqual(
    gpt4o.map((r) => [
      r.input_usd_per_mtok,
      r.output_usd_per_mtok,
      (r.effective_until as Date | null)?.toISOString() ?? null,
    ]),
    [
      ['5.00', '15.00', '2024-10-02T00:00:00.000Z'],
      ['2.50', '10.00', null],
    ],
  );
  const whisper = await d.db.one(sql.unsafe`
    SELECT audio_usd_per_hour, audio_min_seconds FROM omni_costs.price_history
     WHERE provider = 'groq' AND model = 'whisper-large-v3' AND in_force`);
  t.deepEqual(whisper, { audio_usd_per_hour: '0.111', audio_min_seconds: '10' });
});

test.serial('a changed catalogue price closes the old range at the change and opens a new one', async (t) => {
  const model = 'sync-changing';
  const v1 = only([
    row(model, '2025-01-01T00:00:00.000Z', null, { input_usd_per_mtok: '1', output_usd_per_mtok: '2' }),
  ]);
  const first = await syncPrices(d.db, { catalogue: v1 });
  t.like(first, { opened: 1, closed: 0 });
  const oldId = first.changes[0].pricing_id;

  const v2 = only([
    row(model, '2025-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z', {
      input_usd_per_mtok: '1',
      output_usd_per_mtok: '2',
    }),
    row(model, '2025-06-01T00:00:00.000Z', null, { input_usd_per_mtok: '1.5', output_usd_per_mtok: '2.00' }),
  ]);
  const dry = await syncPrices(d.db, { catalogue: v2, dryRun: true });
  t.like(dry, { opened: 1, closed: 1, unchanged: 0 });
  const second = await syncPrices(d.db, { catalogue: v2 });
  t.like(second, { opened: 1, closed: 1, unchanged: 0 });
  const [close, open] = second.changes;
  t.like(close, {
    action: 'close',
    pricing_id: oldId,
    effective_from: '2025-01-01T00:00:00Z',
    effective_until: '2025-06-01T00:00:00Z',
    previous_until: null,
    reason: 'the catalogue changes the price here',
  });
  t.like(open, { action: 'open', effective_from: '2025-06-01T00:00:00Z', effective_until: null });
  t.deepEqual(open.prices, { input_usd_per_mtok: '1.5', output_usd_per_mtok: '2.00' });

  const audit = (await d.db.any(sql.unsafe`
    SELECT action, pricing_id, detail FROM omni_costs.price_changes WHERE model = ${model} ORDER BY change_id`)) as Record<
    string,
    unknown
  >[];
  t.deepEqual(
    audit.map((a) => [a.action, a.pricing_id]),
    [
      ['sync_open', oldId],
      ['sync_close', oldId],
      ['sync_open', open.pricing_id],
    ],
  );
  t.like(audit[1].detail as object, {
    old: { effective_from: '2025-01-01T00:00:00Z', effective_until: null },
    new: { effective_from: '2025-01-01T00:00:00Z', effective_until: '2025-06-01T00:00:00Z' },
  });
  t.like(audit[2].detail as object, {
    old: { pricing_id: oldId, prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '2' } },
    new: { effective_from: '2025-06-01T00:00:00Z', prices: { input_usd_per_mtok: '1.5' } },
  });

  // '2.00' and '2' are the same price: the third run changes nothing.
  const third = await syncPrices(d.db, { catalogue: v2 });
  t.like(third, { opened: 0, closed: 0, unchanged: 2 });
});

test.serial(
  'a price corrected from the start of its range: the past is kept, the new price starts now',
  async (t) => {
    const model = 'sync-corrected';
    await syncPrices(d.db, {
      catalogue: only([
        row(model, '2025-01-01T00:00:00.000Z', null, { input_usd_per_mtok: '1', output_usd_per_mtok: '2' }),
      ]),
    });
    const corrected = only([
      row(model, '2025-01-01T00:00:00.000Z', null, { input_usd_per_mtok: '1.1', output_usd_per_mtok: '2' }),
    ]);
    const result = await syncPrices(d.db, { catalogue: corrected });
    t.like(result, { opened: 1, closed: 1 });
    t.regex(result.changes[0].reason, /the past is kept/);
    t.is(result.changes[0].effective_until, result.changes[1].effective_from);
    t.true(Date.parse(result.changes[1].effective_from) > Date.parse('2026-01-01'));
    const again = await syncPrices(d.db, { catalogue: corrected });
    t.like(again, { opened: 0, closed: 0 });
    t.is(again.conflicts.length, 1, 'the old range still disagrees and is reported');
    t.regex(again.conflicts[0].message, /never edited/);
  },
);

test.serial('a row set by hand is never closed by sync: the disagreement is reported', async (t) => {
  const model = 'sync-manual';
  await setPrice(d.db, {
    provider: 'openai',
    model,
    from: '2025-01-01',
    prices: { input_usd_per_mtok: '9', output_usd_per_mtok: '9' },
  });
  const result = await syncPrices(d.db, {
    catalogue: only([
      row(model, '2025-01-01T00:00:00.000Z', null, { input_usd_per_mtok: '1', output_usd_per_mtok: '2' }),
    ]),
  });
  t.like(result, { opened: 0, closed: 0 });
  t.is(result.conflicts.length, 1);
  t.regex(result.conflicts[0].message, /not written by sync/);
});

test.serial(
  'sync prices the calls that were waiting for a price; alias and estimate rules are upserted',
  async (t) => {
    const waiting = await recordCall(d.db, {
      model: 'sync-waiting-2025-05-01',
      occurred_at: '2025-05-02T00:00:00Z',
      input_tokens: 1_000_000,
      output_tokens: 0,
    });
    t.is(waiting.cost_status, 'unpriced');
    const estimate: EstimateRule = {
      operation: 'chat',
      provider: 'openai',
      model: 'sync-waiting',
      input_tokens: 100,
      input_audio_tokens: null,
      output_tokens: 10,
      audio_seconds: 1.5,
      usd_per_call: null,
      note: 'test rule',
    };
    const alias: AliasRule = {
      provider: 'openai',
      alias: 'sync-nickname',
      model: 'sync-waiting',
      source: 'test',
      note: null,
    };
    const catalogue = only(
      [
        row('sync-waiting', '2025-01-01T00:00:00.000Z', null, {
          input_usd_per_mtok: '0.5',
          output_usd_per_mtok: '1',
        }),
      ],
      [alias],
      [estimate],
    );
    const result = await syncPrices(d.db, { catalogue });
    t.like(result.aliases, { added: 1 });
    t.like(result.estimates, { added: 1 });
    const priced = await d.db.one(sql.unsafe`
    SELECT processing_cost_usd, cost_status, pricing_match FROM omni_costs.model_usage WHERE usage_id = ${waiting.usage_id}`);
    t.deepEqual(priced, { processing_cost_usd: '0.5', cost_status: 'priced', pricing_match: 'snapshot' });

    const changed = only(
      catalogue.rows as PriceRow[],
      [{ ...alias, note: 'now with a note' }],
      [{ ...estimate, output_tokens: 20 }],
    );
    const second = await syncPrices(d.db, { catalogue: changed });
    t.like(second.aliases, { added: 0, updated: 1 });
    t.like(second.estimates, { added: 0, updated: 1 });
    const stored = await d.db.one(sql.unsafe`
    SELECT output_tokens, audio_seconds FROM omni_costs.cost_estimates WHERE model = 'sync-waiting'`);
    t.deepEqual(stored, { output_tokens: 20, audio_seconds: '1.5' });
    t.like((await syncPrices(d.db, { catalogue: changed })).aliases, { updated: 0, unchanged: 1 });
  },
);
