// planSync() without a database: which ranges a sync closes and opens.
import test from 'ava';
import { canonicalInstant, displayInstant, sameDecimal } from '../../src/pricing/instant.ts';
import { PRICE_FIELDS, type PriceRow } from '../../src/pricing/price-row.ts';
import { type ExistingPrice, planSync, uncoveredParts } from '../../src/pricing/sync-plan.ts';

const NOW = '2026-12-03T12:00:00.000000Z';
const empty = Object.fromEntries(PRICE_FIELDS.map((f) => [f, null])) as Record<
  (typeof PRICE_FIELDS)[number],
  null
>;

function wanted(from: string, until: string | null, input: string): PriceRow {
  return {
    provider: 'openai',
    model: 'm',
    service_tier: 'standard',
    min_input_tokens: 0,
    effective_from: `${from}T00:00:00.000Z`,
    effective_until: until && `${until}T00:00:00.000Z`,
    ...empty,
    input_usd_per_mtok: input,
    source: 'test',
    checked_on: null,
    note: null,
  };
}

let nextId = 1;
function stored(from: string, until: string | null, input: string, managed = true): ExistingPrice {
  return {
    pricing_id: nextId++,
    provider: 'openai',
    model: 'm',
    service_tier: 'standard',
    min_input_tokens: 0,
    effective_from: canonicalInstant(`${from}T00:00:00Z`),
    effective_until: until && canonicalInstant(`${until}T00:00:00Z`),
    managed,
    ...empty,
    input_usd_per_mtok: input,
    audio_min_seconds: '0',
  };
}

const day = (date: string) => canonicalInstant(`${date}T00:00:00Z`);

test('instants and decimals compare in canonical form', (t) => {
  t.is(canonicalInstant('2025-01-01T00:00:00.123Z'), '2025-01-01T00:00:00.123000Z');
  t.is(displayInstant('2025-01-01T00:00:00.000000Z'), '2025-01-01T00:00:00Z');
  t.is(displayInstant('2025-01-01T00:00:00.120000Z'), '2025-01-01T00:00:00.12Z');
  t.true(sameDecimal('10.00', '10'));
  t.false(sameDecimal('0.1', '0.01'));
  t.false(sameDecimal(null, '0'));
});

test('uncoveredParts: holes before, between and after taken ranges', (t) => {
  const parts = uncoveredParts({ from: day('2025-01-01'), until: null }, [
    { from: day('2025-02-01'), until: day('2025-03-01') },
    { from: day('2025-04-01'), until: day('2025-05-01') },
  ]);
  t.deepEqual(parts, [
    { from: day('2025-01-01'), until: day('2025-02-01') },
    { from: day('2025-03-01'), until: day('2025-04-01') },
    { from: day('2025-05-01'), until: null },
  ]);
  t.deepEqual(
    uncoveredParts({ from: day('2025-01-01'), until: day('2025-02-01') }, [
      { from: day('2024-01-01'), until: null },
    ]),
    [],
  );
});

test('an empty registry: every catalogue row is opened', (t) => {
  const plan = planSync([wanted('2025-01-01', '2025-06-01', '1'), wanted('2025-06-01', null, '2')], [], NOW);
  t.deepEqual(
    plan.opens.map((o) => [o.effective_from, o.effective_until, o.reason]),
    [
      [day('2025-01-01'), day('2025-06-01'), 'new in the catalogue'],
      [day('2025-06-01'), null, 'new in the catalogue'],
    ],
  );
  t.is(plan.closes.length, 0);
});

test('agreement is unchanged; a future price change closes and opens at the change', (t) => {
  const rows = [stored('2025-01-01', null, '1')];
  t.like(planSync([wanted('2025-01-01', null, '1.0')], rows, NOW), { unchanged: 1, opens: [], closes: [] });
  const plan = planSync(
    [wanted('2025-01-01', '2027-01-01', '1'), wanted('2027-01-01', null, '2')],
    rows,
    NOW,
  );
  t.deepEqual(
    plan.closes.map((c) => [c.pricing_id, c.old_until, c.new_until]),
    [[rows[0].pricing_id, null, day('2027-01-01')]],
  );
  t.deepEqual(
    plan.opens.map((o) => [o.effective_from, o.effective_until, o.replaces?.pricing_id]),
    [[day('2027-01-01'), null, rows[0].pricing_id]],
  );
});

test('the catalogue ending a range closes it; a later range opens again where nothing is', (t) => {
  const rows = [stored('2025-01-01', null, '1')];
  const plan = planSync(
    [wanted('2025-01-01', '2025-06-01', '1'), wanted('2025-09-01', null, '1')],
    rows,
    NOW,
  );
  t.deepEqual(
    plan.closes.map((c) => [c.new_until, c.reason]),
    [[day('2025-06-01'), 'the catalogue ends the range here']],
  );
  t.deepEqual(
    plan.opens.map((o) => [o.effective_from, o.effective_until]),
    [[day('2025-09-01'), null]],
  );
});

test('a range that was closed earlier than the catalogue says continues in a new row', (t) => {
  const rows = [stored('2025-01-01', '2025-03-01', '1')];
  const plan = planSync([wanted('2025-01-01', null, '1')], rows, NOW);
  t.like(plan, { unchanged: 1, closes: [] });
  t.deepEqual(
    plan.opens.map((o) => [o.effective_from, o.effective_until]),
    [[day('2025-03-01'), null]],
  );
});

test('rows sync did not write are never closed, and past ranges are never rewritten', (t) => {
  const manual = planSync([wanted('2025-01-01', null, '1')], [stored('2025-01-01', null, '9', false)], NOW);
  t.like(manual, { closes: [], opens: [] });
  t.regex(manual.conflicts[0].message, /not written by sync/);

  const past = planSync(
    [wanted('2025-01-01', '2025-02-01', '2')],
    [stored('2025-01-01', '2025-02-01', '1')],
    NOW,
  );
  t.like(past, { closes: [], opens: [] });
  t.regex(past.conflicts[0].message, /never edited/);
});
