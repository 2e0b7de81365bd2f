// What the wrapper needs to know about an outgoing request, read without consuming or altering it:
// its URL and method, and the model it asks for (a JSON field, or a multipart form field for uploads).

export type FetchInput = string | URL | Request;

export function requestUrl(input: FetchInput): URL | null {
  try {
    return new URL(input instanceof Request ? input.url : String(input));
  } catch {
    return null;
  }
}

export function requestMethod(input: FetchInput, init?: RequestInit): string {
  return init?.method ?? (input instanceof Request ? input.method : 'GET');
}

function modelField(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function modelFromJson(text: string): string | null {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null ? modelField((body as { model?: unknown }).model) : null;
  } catch {
    return null;
  }
}

function contentType(input: FetchInput, init?: RequestInit): string {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  return headers.get('content-type') ?? '';
}

/** A copy of the request body (a Response over the same bytes, or a cloned Request). */
interface BodyCopy {
  formData(): Promise<FormData>;
  text(): Promise<string>;
}

async function modelFromCopy(copy: BodyCopy, type: string): Promise<string | null> {
  if (/multipart\/form-data|application\/x-www-form-urlencoded/i.test(type)) {
    return modelField((await copy.formData()).get('model'));
  }
  return modelFromJson(await copy.text());
}

/**
 * The model the request asks for, or null when the body does not say or cannot be read without being
 * consumed (a streamed upload). Never throws. Must be called before the request is sent: a Request
 * object is cloned synchronously, before fetch takes its body.
 */
export function requestModel(input: FetchInput, init?: RequestInit): Promise<string | null> {
  const type = contentType(input, init);
  const body = init?.body ?? null;
  let copy: BodyCopy | null = null;
  try {
    if (typeof body === 'string') return Promise.resolve(modelFromJson(body));
    if (body instanceof FormData || body instanceof URLSearchParams) {
      return Promise.resolve(modelField(body.get('model')));
    }
    if (body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
      copy = new Response(body as ConstructorParameters<typeof Response>[0], {
        headers: { 'content-type': type },
      });
    } else if (body === null && input instanceof Request && input.body !== null && !input.bodyUsed) {
      copy = input.clone();
    }
  } catch {
    return Promise.resolve(null);
  }
  if (!copy) return Promise.resolve(null);
  return modelFromCopy(copy, type).catch(() => null);
}
