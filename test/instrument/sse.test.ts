// The SSE reader: events split anywhere across chunks, any line ending, multi-line data, comments.
import test from 'ava';
import fc from 'fast-check';
import { sseEvents, sseParser } from '../../src/instrument/sse.ts';

test('events are read whatever the chunk boundaries and line endings', (t) => {
  const events = [{ a: 1 }, { b: 'two\nlines' }, { c: [3] }];
  fc.assert(
    fc.property(fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 8 }), (eol, cuts) => {
      const text = `: comment${eol}${events.map((e) => `event: x${eol}data: ${JSON.stringify(e)}${eol}${eol}`).join('')}data: [DONE]${eol}${eol}`;
      const got: string[] = [];
      const parser = sseParser((d) => got.push(d));
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
      let from = 0;
      for (const at of [...points, text.length]) {
        parser.push(new TextEncoder().encode(text.slice(from, at)));
        from = at;
      }
      parser.end();
      t.deepEqual(got, [...events.map((e) => JSON.stringify(e)), '[DONE]']);
    }),
  );
});

test('multi-line data joins with newlines; a last event without its blank line still counts', (t) => {
  const got: string[] = [];
  const parser = sseParser((d) => got.push(d));
  parser.push('data: {"a":\ndata: 1}\n\ndata:{"b":2}');
  parser.end();
  t.deepEqual(got, ['{"a":\n1}', '{"b":2}']);
  t.deepEqual(sseEvents('data: {"a":1}\n\ndata: [DONE]\n\ndata: not json\n\n'), [{ a: 1 }]);
});
