// The context recorded with each captured call: who made it (instance, batch, message), what for
// (operation), and how to key it. Given per client (createCostFetch's `context`) or per call
// (withCostContext); per-call values override per-client ones.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Operation } from '../usage.ts';

export interface CostContext {
  instance_id: string;
  batch_job_id?: string | null;
  message_id?: string | null;
  /** Defaults from the endpoint: transcription, translation, embedding, image_generation, else chat. */
  operation?: Operation;
  /**
   * Key of the logical call, called once per recorded call (a retried record keeps it). Make it
   * deterministic (e.g. from the message id) to make replays of the same work idempotent. Default: a UUID.
   */
  idempotencyKey?: () => string;
  /** Path of the uploaded audio: measured when a duration-billed transcription reports no duration. */
  audioFile?: string;
  /** The model to record when neither the response nor the request names it. */
  model?: string;
}

export type ContextSource = Partial<CostContext> | (() => Partial<CostContext> | undefined);

const storage = new AsyncLocalStorage<Partial<CostContext>>();

/** Drops undefined values, so that a layer never erases what an outer layer set. */
function defined(ctx: Partial<CostContext> | undefined): Partial<CostContext> {
  return Object.fromEntries(Object.entries(ctx ?? {}).filter(([, v]) => v !== undefined));
}

/**
 * Runs `fn` with a per-call context: every provider call made through a cost fetch inside it (including
 * in awaited callbacks) is recorded with these values. Nested calls merge with the outer context.
 */
export function withCostContext<T>(ctx: Partial<CostContext>, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...defined(ctx) }, fn);
}

/** The per-call context in effect here, if any. */
export function currentCostContext(): Partial<CostContext> | undefined {
  return storage.getStore();
}

/** The client's context overlaid with the per-call one. */
export function resolveContext(source: ContextSource | undefined): Partial<CostContext> {
  const client = typeof source === 'function' ? source() : source;
  return { ...defined(client), ...defined(storage.getStore()) };
}
