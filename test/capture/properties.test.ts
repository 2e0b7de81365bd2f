// Property tests: invariants that must hold for every consistent body, not just the fixtures.
import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { CaptureError, extractUsage } from '../../src/capture/extract.ts';
import { SUBSET_RULES, type UsageRecord, usageRecordSchema } from '../../src/usage.ts';
import { anthropicMessage, chatBody, chatStream, geminiBody } from './bodies.ts';

const upTo = (max: number) => fc.nat({ max });

const chatUsage = fc
  .record({ prompt: upTo(5_000_000), completion: upTo(500_000) })
  .chain(({ prompt, completion }) =>
    fc.record({
      prompt_tokens: fc.constant(prompt),
      completion_tokens: fc.constant(completion),
      prompt_tokens_details: fc.record(
        { cached_tokens: upTo(prompt), cache_write_tokens: upTo(prompt), audio_tokens: upTo(prompt) },
        { requiredKeys: [] },
      ),
      completion_tokens_details: fc.record(
        {
          reasoning_tokens: upTo(completion),
          audio_tokens: upTo(completion),
          rejected_prediction_tokens: upTo(completion),
        },
        { requiredKeys: [] },
      ),
    }),
  );

function assertConsistent(u: UsageRecord): void {
  const rec = u as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    if (typeof v === 'number' && (v < 0 || Number.isNaN(v))) throw new Error(`${k} is ${v}`);
  }
  for (const [part, whole] of SUBSET_RULES) {
    const p = rec[part];
    const w = rec[whole];
    if (typeof p === 'number' && typeof w === 'number' && p > w)
      throw new Error(`${part} ${p} > ${whole} ${w}`);
  }
  if (!usageRecordSchema.safeParse(u).success) throw new Error('record fails usageRecordSchema');
}

test('every consistent OpenAI chat usage yields subsets within their totals and no negative count', (t) => {
  fc.assert(fc.property(chatUsage, (u) => assertConsistent(extractUsage(chatBody(u)).usage)));
  t.pass();
});

test('a chat detail larger than its total is always refused, naming that detail', (t) => {
  const detail = fc.constantFrom(
    ['prompt_tokens_details', 'cached_tokens', 'prompt_tokens'],
    ['prompt_tokens_details', 'audio_tokens', 'prompt_tokens'],
    ['completion_tokens_details', 'reasoning_tokens', 'completion_tokens'],
  );
  fc.assert(
    fc.property(
      upTo(1_000_000),
      upTo(1_000_000),
      fc.integer({ min: 1, max: 1000 }),
      detail,
      (p, c, over, [group, key, total]) => {
        const usage: Record<string, unknown> = { prompt_tokens: p, completion_tokens: c };
        usage[group] = { [key]: (usage[total] as number) + over };
        try {
          extractUsage(chatBody(usage));
          return false;
        } catch (e) {
          return e instanceof CaptureError && e.path === `usage.${group}.${key}`;
        }
      },
    ),
  );
  t.pass();
});

test('a negative count anywhere in a chat usage is always refused', (t) => {
  const field = fc.constantFrom('prompt_tokens', 'completion_tokens');
  fc.assert(
    fc.property(field, fc.integer({ min: -1_000_000, max: -1 }), (key, neg) => {
      const usage = { prompt_tokens: 10, completion_tokens: 10, [key]: neg };
      return throwsCapture(() => extractUsage(chatBody(usage)));
    }),
  );
  t.pass();
});

function throwsCapture(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    return e instanceof CaptureError;
  }
}

test('an OpenAI chunk stream with include_usage yields the same capture as the non-stream body', (t) => {
  fc.assert(
    fc.property(chatUsage, upTo(30), fc.constantFrom('default', 'flex', 'priority'), (u, pieces, tier) => {
      const body = extractUsage(chatBody(u, { service_tier: tier }));
      const stream = extractUsage(chatStream(pieces, u, { service_tier: tier }));
      assert.deepEqual(stream.usage, body.usage);
      assert.equal(stream.service_tier, body.service_tier);
      assert.equal(stream.model, body.model);
    }),
  );
  t.pass();
});

const usageMetadata = fc.record({ prompt: upTo(2_000_000) }).chain(({ prompt }) =>
  fc.record(
    {
      promptTokenCount: fc.constant(prompt),
      cachedContentTokenCount: upTo(prompt),
      candidatesTokenCount: upTo(100_000),
      thoughtsTokenCount: upTo(100_000),
      toolUsePromptTokenCount: upTo(100_000),
    },
    { requiredKeys: ['promptTokenCount'] },
  ),
);

test('Gemini input is prompt + tool-use and output is candidates + thoughts, never negative', (t) => {
  fc.assert(
    fc.property(usageMetadata, (um) => {
      const u = extractUsage(geminiBody(um)).usage;
      assertConsistent(u);
      assert.equal(u.input_tokens, um.promptTokenCount + (um.toolUsePromptTokenCount ?? 0));
      assert.equal(u.output_tokens, (um.candidatesTokenCount ?? 0) + (um.thoughtsTokenCount ?? 0));
    }),
  );
  t.pass();
});

test('a Gemini stream always yields the usage of its last chunk, whatever came before', (t) => {
  fc.assert(
    fc.property(fc.array(usageMetadata, { minLength: 1, maxLength: 12 }), (ums) => {
      const stream = extractUsage(ums.map((um) => geminiBody(um)));
      const last = extractUsage(geminiBody(ums[ums.length - 1]));
      assert.deepEqual(stream.usage, last.usage);
    }),
  );
  t.pass();
});

const anthropicUsage = fc
  .record({
    w5: upTo(50_000),
    w1: upTo(50_000),
    input: upTo(500_000),
    read: upTo(500_000),
    output: fc.integer({ min: 1, max: 64_000 }),
  })
  .map(({ w5, w1, input, read, output }) => ({
    input_tokens: input,
    cache_creation_input_tokens: w5 + w1,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 },
    output_tokens: output,
  }));

test('Anthropic input total is always input + cache writes + cache reads', (t) => {
  fc.assert(
    fc.property(anthropicUsage, (u) => {
      const rec = extractUsage(anthropicMessage(u)).usage;
      assertConsistent(rec);
      assert.equal(
        rec.input_tokens,
        u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens,
      );
    }),
  );
  t.pass();
});

test('an Anthropic event stream merges to the same capture as the final message', (t) => {
  const steps = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });
  fc.assert(
    fc.property(anthropicUsage, steps, fc.boolean(), (final, fractions, repeatInput) => {
      const start = { ...anthropicMessage({ ...final, output_tokens: 1 }), content: [], stop_reason: null };
      const cumulative = [...fractions.sort(), 1].map((f) =>
        Math.max(1, Math.round(final.output_tokens * f)),
      );
      const deltas = cumulative.map((out) => ({
        type: 'message_delta',
        delta: {},
        // Newer streams repeat the cumulative input fields on deltas (or send them as null).
        usage: repeatInput
          ? {
              output_tokens: out,
              input_tokens: final.input_tokens,
              cache_read_input_tokens: final.cache_read_input_tokens,
            }
          : { output_tokens: out, input_tokens: null },
      }));
      const events = [{ type: 'message_start', message: start }, ...deltas, { type: 'message_stop' }];
      const streamed = extractUsage(events);
      const body = extractUsage(anthropicMessage(final));
      assert.deepEqual(streamed.usage, body.usage);
      assert.equal(streamed.model, body.model);
    }),
  );
  t.pass();
});

test('any input whatsoever yields a valid record or a CaptureError, never another exception', (t) => {
  const junk = fc.oneof(
    fc.anything(),
    fc.record({ usage: fc.anything() }),
    fc.record({ choices: fc.array(fc.anything()), usage: fc.anything() }),
    fc.record({ usageMetadata: fc.anything() }),
    fc.record({ type: fc.constant('message'), usage: fc.anything() }),
    fc.array(
      fc.record({
        type: fc.constantFrom('message_start', 'message_delta'),
        usage: fc.anything(),
        message: fc.anything(),
      }),
    ),
  );
  fc.assert(
    fc.property(junk, (input) => {
      try {
        assertConsistent(extractUsage(input).usage);
        return true;
      } catch (e) {
        return e instanceof CaptureError;
      }
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
