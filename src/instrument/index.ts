// Automatic usage capture around the official SDKs: pass `fetch: createCostFetch(...)` to the client.
export { type ContextSource, type CostContext, currentCostContext, withCostContext } from './context.ts';
export {
  type CaptureStage,
  CostCaptureError,
  type CostErrorHandler,
  type CostFetch,
  type CostFetchOptions,
  createCostFetch,
  type FetchLike,
  type RecordUsageFn,
} from './cost-fetch.ts';
export { type Recorder, type RecorderOptions, RecordFailedError, recorderFor } from './recorder.ts';
export type { BaseUrls, Route } from './routes.ts';
