// omni usage extract: a body from --file or stdin in, the normalized usage record out.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CORE_USAGE_KEYS } from '../../src/usage.ts';
import { fixtureResponse, loadFixtures } from '../capture/fixtures.ts';
import { runCli } from '../helpers/cli.ts';

const expectedOf = (name: string) => {
  const f = loadFixtures().find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f.expected;
};

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omni-extract-'));
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a JSON body on stdin prints exactly the keys of the usage record', async (t) => {
  const name = 'gemini/generate_content_2_0_flash_image_input.json';
  const r = await runCli(['usage', 'extract'], {}, JSON.stringify(fixtureResponse(name)));
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.deepEqual(Object.keys(out), [...CORE_USAGE_KEYS]);
  t.deepEqual(out, expectedOf(name));
  t.is(r.stderr, '');
});

test('a JSON array of stream events from --file, with the provider named', async (t) => {
  const name = 'groq/chat_stream_include_usage_gpt_oss_120b.json';
  const file = join(dir, 'stream.json');
  await writeFile(file, JSON.stringify(fixtureResponse(name)));
  const r = await runCli(['usage', 'extract', '--provider', 'groq', '--file', file], {});
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), expectedOf(name));
});

test('whisper text format, raw or as a JSON string: duration unknown; reported durations carry their source', async (t) => {
  const text = fixtureResponse('openai/transcription_whisper1_text_format.json') as string;
  for (const body of [text, JSON.stringify(text)]) {
    const r = await runCli(['usage', 'extract', '--provider', 'openai', '--model', 'whisper-1'], {}, body);
    t.is(r.code, 0, r.stderr);
    t.deepEqual(JSON.parse(r.stdout), expectedOf('openai/transcription_whisper1_text_format.json'));
  }
  const verbose = 'groq/transcription_whisper_large_v3_verbose_json.json';
  const r = await runCli(['usage', 'extract', '--json'], {}, JSON.stringify(fixtureResponse(verbose)));
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { ...expectedOf(verbose), audio_seconds_source: 'reported' });
});

test('--verbose adds provider, api, model and service tier around the record', async (t) => {
  const r = await runCli(
    ['usage', 'extract', '--verbose', '--model', 'gpt-image-1'],
    {},
    JSON.stringify(fixtureResponse('openai/images_gpt_image_1_generate.json')),
  );
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.like(out, { provider: 'openai', api: 'images', model: 'gpt-image-1', service_tier: null });
  t.deepEqual(out.usage, { ...expectedOf('openai/images_gpt_image_1_generate.json'), image_count: 1 });
  t.truthy(out.raw_usage);
});

test('bad bodies exit 2 with the offending field named', async (t) => {
  const [negative, broken, nothing, missing] = await Promise.all([
    runCli(
      ['usage', 'extract'],
      {},
      '{"object":"chat.completion","choices":[],"usage":{"prompt_tokens":-3,"completion_tokens":1}}',
    ),
    runCli(['usage', 'extract'], {}, '{"usage": '),
    runCli(['usage', 'extract'], {}, ''),
    runCli(['usage', 'extract', '--file', join(dir, 'nope.json')], {}),
  ]);
  t.is(negative.code, 2);
  t.regex(negative.stderr, /usage\.prompt_tokens cannot be negative/);

  t.is(broken.code, 2);
  t.regex(broken.stderr, /not valid JSON/);

  t.is(nothing.code, 2);
  t.regex(nothing.stderr, /--file/);

  t.is(missing.code, 2);
  t.regex(missing.stderr, /cannot read .*nope\.json/);
});
