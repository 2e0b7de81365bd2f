import test from 'ava';
import { undatedModelId } from '../../src/pricing/model-id.ts';

test('only a date suffix is stripped mechanically from a model name', (t) => {
  t.is(undatedModelId('claude-haiku-4-5-20251001'), 'claude-haiku-4-5');
  t.is(undatedModelId('gpt-4o-2024-08-06'), 'gpt-4o');
  t.is(undatedModelId('claude-sonnet-4@20250514'), 'claude-sonnet-4');
  t.is(undatedModelId('gemini-2.0-flash-001'), null);
  t.is(undatedModelId('gemini-2.5-flash-preview-09-2025'), null);
  t.is(undatedModelId('chatgpt-4o-latest'), null);
});
