import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { syncPrices } from '../../src/pricing/sync.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

// The names providers put in responses, resolved by the database's own rules (resolve_price) against the
// synced catalogue: the mechanism that prices every call, not a copy of it.
let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('model_matching');
  await syncPrices(d.db);
});
test.after.always(async () => {
  await d?.drop();
});

const resolved = async (provider: string, model: string) =>
  d.db.maybeOne(sql.type(z.object({ model: z.string().nullable(), rule: z.string().nullable() }))`
    SELECT (r.price).model, r.match AS rule
      FROM omni_costs.resolve_price(${provider}, ${model}, NULL, now(), 1000) r`);

const cases: Array<[string, string, string | null, string | null]> = [
  ['anthropic', 'claude-haiku-4-5-20251001', 'claude-haiku-4-5', 'snapshot'],
  ['anthropic', 'claude-sonnet-4-20250514', 'claude-sonnet-4', 'snapshot'],
  ['openai', 'gpt-4o-2024-05-13', 'gpt-4o-2024-05-13', 'exact'],
  ['openai', 'gpt-4o-2024-11-20', 'gpt-4o', 'alias'],
  ['openai', 'GPT-4o-mini-2024-07-18', 'gpt-4o-mini', 'case+alias'],
  ['openai', 'GPT-4o-mini', 'gpt-4o-mini', 'case'],
  ['vertex', 'gemini-2.0-flash-001', 'gemini-2.0-flash', 'alias'],
  ['vertex', 'claude-sonnet-4-5@20250929', 'claude-sonnet-4-5', 'snapshot'],
  ['groq', 'no-such-model', null, null],
];

for (const [provider, model, expected, rule] of cases) {
  test(`${provider}/${model} is priced as ${expected ?? 'nothing'}`, async (t) => {
    const r = await resolved(provider, model);
    t.is(r?.model ?? null, expected);
    t.is(r?.rule ?? null, rule);
  });
}

test('every alias rule of the catalogue leads to a priced model', async (t) => {
  const dangling = await d.db.anyFirst(sql.type(z.object({ alias: z.string() }))`
    SELECT a.provider || '/' || a.alias AS alias FROM omni_costs.model_aliases a
     WHERE NOT EXISTS (SELECT FROM omni_costs.model_pricing p WHERE p.provider = a.provider AND p.model = a.model)`);
  t.deepEqual(dangling, []);
});
