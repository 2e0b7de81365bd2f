// Loads the shared provider fixtures (../shared relative to the repo root) for the capture tests.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { UsageRecord } from '../../src/usage.ts';

export const FIXTURES_DIR = new URL('../../../shared/reference/providers/fixtures/', import.meta.url);

export interface Fixture {
  /** e.g. "openai/chat_completions_gpt4o_cached_prompt.json" */
  name: string;
  provider: string;
  api: string;
  model: string;
  response: unknown;
  expected: UsageRecord;
  expected_extra?: Record<string, unknown>;
  http_status?: number;
}

export function loadFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const dir of readdirSync(fileURLToPath(FIXTURES_DIR)).sort()) {
    const sub = new URL(`${dir}/`, FIXTURES_DIR);
    for (const file of readdirSync(fileURLToPath(sub)).sort()) {
      if (!file.endsWith('.json')) continue;
      const data = JSON.parse(readFileSync(new URL(file, sub), 'utf8')) as Omit<Fixture, 'name'>;
      out.push({ ...data, name: `${dir}/${file}` });
    }
  }
  return out;
}

/** A fixture's response by name, deep-copied so a test may mutate it. */
export function fixtureResponse(name: string): unknown {
  const found = loadFixtures().find((f) => f.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return structuredClone(found.response);
}
