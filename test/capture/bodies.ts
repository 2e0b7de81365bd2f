// Minimal provider bodies for tests: only the fields capture reads, in the providers' real shapes.

export function chatBody(usage: unknown, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage,
    service_tier: 'default',
    ...extra,
  };
}

/** A chat stream: `pieces` content chunks, a finish chunk, then (if usage) the include_usage chunk. */
export function chatStream(pieces: number, usage: unknown | null, extra: Record<string, unknown> = {}) {
  const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', model: 'gpt-4o-2024-08-06', ...extra };
  const chunks: Record<string, unknown>[] = [];
  for (let i = 0; i < pieces; i++) {
    chunks.push({
      ...base,
      choices: [{ index: 0, delta: { content: `p${i}` }, finish_reason: null }],
      usage: null,
    });
  }
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null });
  if (usage !== null) chunks.push({ ...base, choices: [], usage });
  return chunks;
}

export function responsesBody(usage: unknown, output: unknown[] = []) {
  return {
    id: 'resp_test',
    object: 'response',
    status: 'completed',
    error: null,
    model: 'gpt-4.1-mini',
    output,
    usage,
  };
}

export function geminiBody(usageMetadata: unknown, extra: Record<string, unknown> = {}) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata,
    modelVersion: 'gemini-2.5-flash',
    responseId: 'resp-test',
    ...extra,
  };
}

export function anthropicMessage(usage: unknown) {
  return {
    id: 'msg_test',
    type: 'message',
    role: 'assistant',
    model: 'claude-haiku-4-5-20251001',
    content: [{ type: 'text', text: 'ok' }],
    stop_reason: 'end_turn',
    usage,
  };
}
