// Reading a response for its usage without delaying or altering what the caller gets.
// - Whole bodies (JSON, text): a clone is read in the background; the caller's copy is untouched.
// - SSE streams: the caller gets a pass-through stream that parses `data:` lines as the caller reads;
//   nothing is read ahead of the caller, so cancelling still closes the connection. The stream reports
//   once when it ends: complete, aborted (a network error or the caller's abort signal), cancelled by the
//   caller, or dropped unread (noticed when it is garbage-collected).
import { parseEventData, sseEvents, sseParser } from './sse.ts';

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

export type StreamEnd = { how: 'complete' } | { how: 'aborted' | 'cancelled' | 'abandoned'; reason: string };

export function isEventStream(response: Response): boolean {
  return /^text\/event-stream/i.test(response.headers.get('content-type') ?? '');
}

/** The body as extract takes it: parsed JSON, an array of SSE events, or the raw text. */
export function parseBody(text: string, contentType: string): unknown {
  if (/json/i.test(contentType)) return JSON.parse(text) as unknown;
  if (/^text\/event-stream/i.test(contentType)) return sseEvents(text);
  const trimmed = text.trim();
  if (/^[[{]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      // Not JSON after all (e.g. a transcript that starts with "[Music]").
    }
  }
  return text;
}

/** Reads a clone of a whole (non-stream) response body in the background. */
export async function readClone(clone: Response): Promise<unknown> {
  return parseBody(await clone.text(), clone.headers.get('content-type') ?? '');
}

export function reasonText(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  return reason === undefined ? 'no reason given' : String(reason);
}

const dropped = new FinalizationRegistry<() => void>((end) => end());

/**
 * A copy of `response` whose body passes every byte through unchanged while collecting the stream's
 * events; `onEnd(events, end)` is called once when the stream ends, however it ends.
 */
export function tapEventStream(
  response: Response,
  onEnd: (events: unknown[], end: StreamEnd) => void,
): Response {
  const upstream = (response.body as ReadableStream<Uint8Array>).getReader();
  const events: unknown[] = [];
  const parser = sseParser((data) => {
    const event = parseEventData(data);
    if (event !== undefined) events.push(event);
  });
  let ended = false;
  const token = {};
  const finish = (end: StreamEnd) => {
    if (ended) return;
    ended = true;
    dropped.unregister(token);
    try {
      parser.end();
    } catch {
      // A truncated final event is simply not counted.
    }
    onEnd(events, end);
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof upstream.read>>;
        try {
          chunk = await upstream.read();
        } catch (error) {
          finish({ how: 'aborted', reason: reasonText(error) });
          controller.error(error);
          return;
        }
        if (chunk.done) {
          finish({ how: 'complete' });
          controller.close();
          return;
        }
        parser.push(chunk.value);
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        finish({ how: 'cancelled', reason: reasonText(reason) });
        return upstream.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  // The held callback must not reach `body`, or it would never be collected.
  dropped.register(
    body,
    () => {
      finish({
        how: 'abandoned',
        reason: 'the stream was dropped without being read to the end or cancelled',
      });
      upstream.cancel().catch(() => undefined);
    },
    token,
  );
  const tapped = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(tapped, 'url', { value: response.url });
  Object.defineProperty(tapped, 'redirected', { value: response.redirected });
  return tapped;
}

/** True when a stream delivered its final usage before it stopped (so a late abort loses nothing). */
export function sawFinalUsage(events: readonly unknown[]): boolean {
  return events.some((e) => {
    if (!isObject(e)) return false;
    const type = typeof e.type === 'string' ? e.type : '';
    if (
      [
        'message_delta',
        'message_stop',
        'response.completed',
        'response.incomplete',
        'response.failed',
      ].includes(type)
    ) {
      return true;
    }
    if (type === 'transcript.text.done') return true;
    if (isObject(e.usage) || (isObject(e.x_groq) && isObject(e.x_groq.usage))) return true;
    const candidates = Array.isArray(e.candidates) ? e.candidates : [];
    return candidates.some((c) => isObject(c) && typeof c.finishReason === 'string');
  });
}
