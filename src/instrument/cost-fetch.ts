// createCostFetch(): a `fetch` for the official SDKs (openai, groq-sdk, @google/genai, @anthropic-ai/sdk)
// that records the usage of every model call it carries. The caller gets the provider's response as it
// came, without delay; usage is read from a copy and recorded in the background. A capture or record
// failure never fails the call: it goes to onError (default: console.error), never silently nowhere.
import { randomUUID } from 'node:crypto';
import { withMeasuredDuration } from '../capture/audio-duration.ts';
import { errorRecord } from '../capture/common.ts';
import { extractUsage } from '../capture/extract.ts';
import type { UsageRowInput } from '../ingest/usage-row.ts';
import { type CapturedUsage, canonicalProvider } from '../usage.ts';
import { type ContextSource, type CostContext, resolveContext } from './context.ts';
import { type FetchInput, requestMethod, requestModel, requestUrl } from './request-info.ts';
import { type BaseUrls, type Route, routeOf } from './routes.ts';
import { missingContext, unknownCallUsage, usageRow } from './rows.ts';
import {
  isEventStream,
  parseBody,
  reasonText,
  type StreamEnd,
  sawFinalUsage,
  tapEventStream,
} from './tap-response.ts';

export type FetchLike = (input: FetchInput, init?: RequestInit) => Promise<Response>;
export type RecordUsageFn = (rows: UsageRowInput[]) => Promise<unknown>;

/** Where a capture went wrong: the context was incomplete, the body unreadable, the audio unmeasurable, or the write failed. */
export type CaptureStage = 'context' | 'capture' | 'measure' | 'record';

export class CostCaptureError extends Error {
  readonly stage: CaptureStage;
  constructor(stage: CaptureStage, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CostCaptureError';
    this.stage = stage;
  }
}

export type CostErrorHandler = (error: CostCaptureError, rows: readonly UsageRowInput[]) => void;

export interface CostFetchOptions {
  /** Stores rows, e.g. recorderFor(db). Its failures are reported to onError. */
  record: RecordUsageFn;
  /** The client's context (or a function returning it); withCostContext overrides it per call. */
  context?: ContextSource;
  /** The fetch that performs the requests (default: globalThis.fetch). */
  fetch?: FetchLike;
  /** Told about every call whose usage could not be captured or recorded (default: console.error). */
  onError?: CostErrorHandler;
  /** Proxies and gateways: a URL prefix -> provider map, e.g. { 'https://gw.internal/groq/': 'groq' }. */
  baseUrls?: BaseUrls;
  /**
   * Record refused calls (HTTP 4xx/5xx, error bodies) as requests = 0 rows, each under a fresh key.
   * Default false: the providers do not bill them, so nothing is recorded.
   */
  recordErrors?: boolean;
}

export interface CostFetch extends FetchLike {
  /** Resolves when every capture started so far has been recorded or reported (for tests and shutdown). */
  drain(): Promise<void>;
}

interface Call {
  route: Route;
  ctx: Partial<CostContext>;
  key: string;
  occurredAt: string;
  requestedModel: Promise<string | null>;
}

function defaultOnError(error: CostCaptureError, rows: readonly UsageRowInput[]): void {
  console.error(`omni-costs: ${error.message} [${rows.length} usage row${rows.length === 1 ? '' : 's'}]`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createCostFetch(options: CostFetchOptions): CostFetch {
  const base: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const onError = options.onError ?? defaultOnError;
  const baseUrls = options.baseUrls ?? {};
  for (const [prefix, name] of Object.entries(baseUrls)) {
    if (!canonicalProvider(name))
      throw new Error(`createCostFetch: baseUrls['${prefix}'] names an unknown provider '${name}'`);
  }
  const inflight = new Set<Promise<void>>();

  const report = (error: CostCaptureError, rows: readonly UsageRowInput[]) => {
    try {
      onError(error, rows);
    } catch (thrown) {
      console.error(`omni-costs: onError threw (${message(thrown)}) while reporting: ${error.message}`);
    }
  };

  const track = (work: Promise<void>) => {
    const settled: Promise<void> = work
      .catch((error) =>
        report(
          new CostCaptureError('capture', `capturing usage failed: ${message(error)}`, { cause: error }),
          [],
        ),
      )
      .finally(() => inflight.delete(settled));
    inflight.add(settled);
  };

  const store = async (row: UsageRowInput, problem: CostCaptureError | null) => {
    const missing = missingContext(row);
    if (missing)
      return report(
        new CostCaptureError('context', `could not record 1 usage row: ${missing}`, { cause: problem }),
        [row],
      );
    if (problem) report(problem, [row]);
    try {
      await options.record([row]);
    } catch (error) {
      const what = `${row.provider} ${row.model}, key ${row.idempotency_key}`;
      report(
        new CostCaptureError('record', `could not record 1 usage row (${what}): ${message(error)}`, {
          cause: error,
        }),
        [row],
      );
    }
  };

  /** Extracts, completes and records the usage of one finished response. */
  const capture = async (call: Call, body: () => unknown, end: StreamEnd) => {
    const { provider, api } = call.route;
    const requested = (await call.requestedModel) ?? call.route.model ?? call.ctx.model ?? undefined;
    let parsed: unknown = [];
    let captured: CapturedUsage = {
      provider,
      api,
      model: requested ?? null,
      service_tier: null,
      usage: unknownCallUsage(api),
      raw_usage: null,
    };
    let problem: CostCaptureError | null = null;
    try {
      parsed = body();
      captured = extractUsage(parsed, { provider, api, model: requested });
    } catch (error) {
      if (end.how === 'complete') {
        const why = `could not read usage from the ${provider} ${api} response (${message(error)}); recorded the call with unknown usage`;
        problem = new CostCaptureError('capture', why, { cause: error });
      }
    }
    if (end.how !== 'complete' && !(Array.isArray(parsed) && sawFinalUsage(parsed))) {
      // Cut short before its usage arrived: a billed call of unknown usage, never zero.
      const raw_usage = {
        stream_ended: end.how,
        reason: end.reason,
        partial_usage: captured.raw_usage ?? null,
      };
      captured = { ...captured, usage: unknownCallUsage(api), raw_usage };
    }
    if (captured.usage.requests === 0 && !options.recordErrors) return;
    if (captured.usage.audio_seconds === null && call.ctx.audioFile && api === 'transcription') {
      try {
        captured = await withMeasuredDuration(captured, call.ctx.audioFile);
      } catch (error) {
        const why = `could not measure ${call.ctx.audioFile}; recorded the transcription with unknown duration (${message(error)})`;
        problem ??= new CostCaptureError('measure', why, { cause: error });
      }
    }
    const key = captured.usage.requests === 0 ? randomUUID() : call.key;
    const row = usageRow(captured, call.ctx, {
      idempotency_key: key,
      occurred_at: call.occurredAt,
      operation: call.route.operation,
    });
    await store(row, problem);
  };

  const refused = async (call: Call, status: number) => {
    const model = (await call.requestedModel) ?? call.route.model ?? call.ctx.model ?? null;
    const captured: CapturedUsage = {
      provider: call.route.provider,
      api: call.route.api,
      model,
      service_tier: null,
      usage: errorRecord(),
      raw_usage: { http_status: status },
    };
    const row = usageRow(captured, call.ctx, {
      idempotency_key: randomUUID(),
      occurred_at: call.occurredAt,
      operation: call.route.operation,
    });
    await store(row, null);
  };

  const observe = (call: Call, response: Response): Response => {
    if (!response.ok) {
      if (options.recordErrors) track(refused(call, response.status));
      return response;
    }
    if (isEventStream(response) && response.body) {
      return tapEventStream(response, (events, end) => track(capture(call, () => events, end)));
    }
    const type = response.headers.get('content-type') ?? '';
    const copy = response.clone();
    track(
      copy.text().then(
        (text) => capture(call, () => parseBody(text, type), { how: 'complete' }),
        (error) => capture(call, () => [], { how: 'aborted', reason: reasonText(error) }),
      ),
    );
    return response;
  };

  const costFetch = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const url = requestUrl(input);
    const route = url ? routeOf(url, requestMethod(input, init), baseUrls) : null;
    if (!route) return base(input, init);
    let call: Call | null = null;
    try {
      const ctx = resolveContext(options.context);
      const key = ctx.idempotencyKey?.() ?? randomUUID();
      call = {
        route,
        ctx,
        key,
        occurredAt: new Date().toISOString(),
        requestedModel: requestModel(input, init),
      };
    } catch (error) {
      report(
        new CostCaptureError(
          'context',
          `could not read the cost context; the call is not recorded: ${message(error)}`,
          { cause: error },
        ),
        [],
      );
    }
    const response = await base(input, init);
    if (!call) return response;
    try {
      return observe(call, response);
    } catch (error) {
      report(
        new CostCaptureError(
          'capture',
          `could not observe the response; the call is not recorded: ${message(error)}`,
          { cause: error },
        ),
        [],
      );
      return response;
    }
  };

  return Object.assign(costFetch, {
    drain: async () => {
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
  });
}
