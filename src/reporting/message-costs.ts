// messageCosts(): every provider call behind one message, with its cost, and the message total.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { NotFoundError } from '../db/errors.ts';
import { COST_STATUSES } from '../usage.ts';

export const messageCallSchema = z.object({
  usage_id: z.number(),
  occurred_at: z.date(),
  instance_id: z.string(),
  batch_job_id: z.string().nullable(),
  provider: z.string(),
  model: z.string(),
  operation: z.string(),
  input_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  audio_seconds: z.string().nullable(),
  cost_usd: z.string().nullable(),
  cost_status: z.enum(COST_STATUSES),
  cost_note: z.string().nullable(),
});
export type MessageCall = z.infer<typeof messageCallSchema>;

const rowSchema = messageCallSchema.extend({
  total_cost_usd: z.string(),
  estimated_calls: z.number(),
  unpriced_calls: z.number(),
});

export interface MessageCosts {
  message_id: string;
  instance_id: string | null;
  calls: MessageCall[];
  total_cost_usd: string;
  estimated_calls: number;
  unpriced_calls: number;
}

export async function messageCosts(
  db: CommonQueryMethods,
  messageId: string,
  instanceId: string | null = null,
): Promise<MessageCosts> {
  const rows = await db.any(sql.type(rowSchema)`
    SELECT u.usage_id, u.occurred_at, u.instance_id, u.batch_job_id, u.provider, u.model, u.operation,
           u.input_tokens, u.output_tokens, trim_scale(u.audio_seconds) AS audio_seconds,
           u.processing_cost_usd AS cost_usd, u.cost_status, u.cost_note,
           trim_scale(coalesce(sum(u.processing_cost_usd) OVER (), 0)) AS total_cost_usd,
           count(*) FILTER (WHERE u.cost_status = 'estimated') OVER () AS estimated_calls,
           count(*) FILTER (WHERE u.cost_status = 'unpriced') OVER () AS unpriced_calls
      FROM omni_costs.usage_costs u
     WHERE u.message_id = ${messageId} AND (${instanceId}::uuid IS NULL OR u.instance_id = ${instanceId}::uuid)
     ORDER BY u.occurred_at, u.usage_id`);
  if (rows.length === 0) {
    throw new NotFoundError(
      `no calls recorded for message "${messageId}"${instanceId ? ` in instance ${instanceId}` : ''}. ` +
        'Record calls with their message id: omni usage record … --message <id>',
    );
  }
  const first = rows[0];
  return {
    message_id: messageId,
    instance_id: instanceId,
    calls: rows.map(({ total_cost_usd: _t, estimated_calls: _e, unpriced_calls: _u, ...call }) => call),
    total_cost_usd: first.total_cost_usd,
    estimated_calls: first.estimated_calls,
    unpriced_calls: first.unpriced_calls,
  };
}
