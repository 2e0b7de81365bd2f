// An incremental reader of Server-Sent Events: feed it the bytes as they pass, get each event's data.
// Follows the WHATWG rules: lines end in \n, \r\n or \r; `data:` lines of one event are joined by \n;
// an empty line ends the event; lines starting with ':' are comments; other fields are ignored.

export interface SseParser {
  push(chunk: Uint8Array | string): void;
  /** Flushes what is left (a final event without its blank line is still delivered). */
  end(): void;
}

export function sseParser(onData: (data: string) => void): SseParser {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onData(data.join('\n'));
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    if (field !== 'data') return;
    const value = colon === -1 ? '' : text.slice(colon + 1);
    data.push(value.startsWith(' ') ? value.slice(1) : value);
  };

  const lines = (final: boolean) => {
    for (;;) {
      const at = buffer.search(/[\r\n]/);
      if (at === -1) break;
      // A \r at the very end may be the first half of a \r\n split across two chunks.
      if (!final && buffer[at] === '\r' && at === buffer.length - 1) break;
      const skip = buffer[at] === '\r' && buffer[at + 1] === '\n' ? 2 : 1;
      const text = buffer.slice(0, at);
      buffer = buffer.slice(at + skip);
      line(text);
    }
  };

  return {
    push(chunk) {
      buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      lines(false);
    },
    end() {
      buffer += decoder.decode();
      lines(true);
      if (buffer !== '') line(buffer);
      buffer = '';
      line('');
    },
  };
}

/** The parsed JSON payloads of a whole SSE text; `[DONE]` and non-JSON data are skipped. */
export function sseEvents(text: string): unknown[] {
  const events: unknown[] = [];
  const parser = sseParser((data) => {
    const event = parseEventData(data);
    if (event !== undefined) events.push(event);
  });
  parser.push(text);
  parser.end();
  return events;
}

/** One event's data as JSON; undefined for the `[DONE]` sentinel and for data that is not JSON. */
export function parseEventData(data: string): unknown {
  const trimmed = data.trim();
  if (trimmed === '' || trimmed === '[DONE]') return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}
