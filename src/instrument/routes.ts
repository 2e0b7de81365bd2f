// Which provider call a request is, from its URL: the provider from the host (or from a configured base
// URL, for proxies and gateways), the API flavour from the path, and for Google the model from the path.
import { APIS_BY_PROVIDER, type Api } from '../capture/extract.ts';
import { canonicalProvider, type Operation, type Provider } from '../usage.ts';

export interface Route {
  provider: Provider;
  api: Api;
  /** The operation to record when the caller's context names none. */
  operation: Operation;
  /** The model named in the URL (Gemini and Vertex put it in the path); null otherwise. */
  model: string | null;
}

/** `{ 'https://gateway.internal/groq': 'groq' }`: requests under a prefix are calls to that provider. */
export type BaseUrls = Readonly<Record<string, string>>;

const HOSTS: ReadonlyArray<readonly [RegExp, Provider]> = [
  [/^api\.openai\.com$/, 'openai'],
  [/^api\.groq\.com$/, 'groq'],
  [/^generativelanguage\.googleapis\.com$/, 'gemini'],
  // us-central1-aiplatform.googleapis.com, aiplatform.googleapis.com (global), aiplatform.eu.rep.googleapis.com
  [/^(?:[a-z0-9-]+-)?aiplatform\.(?:[a-z0-9-]+\.rep\.)?googleapis\.com$/, 'vertex'],
  [/^api\.anthropic\.com$/, 'anthropic'],
];

/** OpenAI-compatible paths (OpenAI, Groq under /openai/v1), matched at the end of the path. */
const OPENAI_PATHS: ReadonlyArray<readonly [RegExp, Api, Operation]> = [
  [/\/chat\/completions$/, 'chat', 'chat'],
  [/\/responses$/, 'responses', 'chat'],
  [/\/audio\/transcriptions$/, 'transcription', 'transcription'],
  [/\/audio\/translations$/, 'transcription', 'translation'],
  [/\/embeddings$/, 'embeddings', 'embedding'],
  [/\/images\/(?:generations|edits)$/, 'images', 'image_generation'],
];

const GOOGLE_PATH = /\/(?:models|tunedModels)\/([^/:]+):(?:generateContent|streamGenerateContent)$/;
const ANTHROPIC_PATH = /\/messages$/;

function providerOf(url: URL, baseUrls: BaseUrls): Provider | undefined {
  for (const [prefix, name] of Object.entries(baseUrls)) {
    if (url.href.startsWith(prefix)) {
      const p = canonicalProvider(name);
      if (!p) throw new Error(`createCostFetch: baseUrls['${prefix}'] names an unknown provider '${name}'`);
      return p;
    }
  }
  return HOSTS.find(([host]) => host.test(url.hostname))?.[1];
}

function pathRoute(provider: Provider, path: string): Omit<Route, 'provider'> | null {
  switch (provider) {
    case 'openai':
    case 'groq': {
      const hit = OPENAI_PATHS.find(([re]) => re.test(path));
      if (!hit || !APIS_BY_PROVIDER[provider].includes(hit[1])) return null;
      return { api: hit[1], operation: hit[2], model: null };
    }
    case 'gemini':
    case 'vertex': {
      const m = GOOGLE_PATH.exec(path);
      return m ? { api: 'generate_content', operation: 'chat', model: decodeURIComponent(m[1]) } : null;
    }
    case 'anthropic':
      return ANTHROPIC_PATH.test(path) ? { api: 'messages', operation: 'chat', model: null } : null;
  }
}

/** The provider call a request makes, or null when it is not a billed model call (files, model lists, ...). */
export function routeOf(url: URL, method: string, baseUrls: BaseUrls = {}): Route | null {
  if (method.toUpperCase() !== 'POST') return null;
  const provider = providerOf(url, baseUrls);
  if (!provider) return null;
  const rest = pathRoute(provider, url.pathname.replace(/\/+$/, ''));
  return rest ? { provider, ...rest } : null;
}
