// The human rendering of `omni costs message <id>`.

import type { MessageCosts } from '../../src/reporting/message-costs.ts';
import { formatUsd } from '../../src/reporting/money.ts';
import { renderTable } from '../table.ts';
import { warningLine } from './costs-text.ts';
import { plural } from './words.ts';

export function renderMessageCosts(m: MessageCosts): string {
  const rows = m.calls.map((c) => ({
    usage_id: c.usage_id,
    occurred_at: c.occurred_at,
    provider: c.provider,
    model: c.model,
    operation: c.operation,
    input_tokens: c.input_tokens,
    output_tokens: c.output_tokens,
    audio_seconds: c.audio_seconds,
    cost_usd: formatUsd(c.cost_usd),
    status: c.cost_status,
  }));
  return [
    `Message ${m.message_id}: ${plural(m.calls.length, 'call')}`,
    renderTable(rows),
    '',
    `Total: ${formatUsd(m.total_cost_usd)}`,
    warningLine({ ...m, top_unpriced: null, top_estimated: null }),
  ].join('\n');
}
