// A fake provider for the instrument tests: a node:http server on 127.0.0.1 that replays fixture bodies
// (JSON, SSE events, text), and a fetch that sends provider URLs to it, keeping the path.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchLike } from '../../src/instrument/index.ts';

export interface Reply {
  status?: number;
  json?: unknown;
  /** Events sent one by one as `data: <json>\n\n`. */
  sse?: readonly unknown[];
  /** Send `data: [DONE]` after the events (OpenAI and Groq chat streams). */
  done?: boolean;
  /** Send only this many events, then keep the connection open (a stream the client must abort). */
  hangAfter?: number;
  text?: string;
}

export interface Received {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

export interface Upstream {
  url: string;
  requests: Received[];
  /** A fetch that sends any URL to this server with the same path and query. */
  fetch: FetchLike;
  close(): Promise<void>;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function send(res: http.ServerResponse, reply: Reply): Promise<void> {
  if (reply.sse) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream' });
    const events = reply.hangAfter === undefined ? reply.sse : reply.sse.slice(0, reply.hangAfter);
    for (const event of events) {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
      await tick();
    }
    if (reply.hangAfter !== undefined) return;
    if (reply.done) res.write('data: [DONE]\n\n');
    res.end();
    return;
  }
  if (reply.text !== undefined) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(reply.text);
    return;
  }
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply.json ?? {}));
}

export async function startUpstream(reply: Reply): Promise<Upstream> {
  const requests: Received[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      contentType: req.headers['content-type'] ?? '',
      body: Buffer.concat(chunks),
    });
    await send(res, reply);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fetchHere: FetchLike = (input, init) => {
    const original = new URL(input instanceof Request ? input.url : String(input));
    const target = new URL(original.pathname + original.search, url);
    return fetch(input instanceof Request ? new Request(target, input) : target, init);
  };
  return {
    url,
    requests,
    fetch: fetchHere,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
