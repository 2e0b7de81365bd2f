// Typed errors of omni-costs. Messages name the field or object at fault and say what to do next.

export class OmniError extends Error {
  readonly code: string;
  constructor(message: string, code = 'OMNI_ERROR', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OmniError';
    this.code = code;
  }
}

/** Bad input: names the field and, where there is a fixed set, the allowed values. Nothing was written. */
export class InvalidInputError extends OmniError {
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(field ? `${field}: ${message}` : message, 'INVALID_INPUT', options);
    this.name = 'InvalidInputError';
    this.field = field;
  }
}

/** The same idempotency key was recorded before with a different payload. Nothing was written. */
export class IdempotencyConflictError extends OmniError {
  readonly idempotencyKey: string;
  readonly fields: string[];
  constructor(idempotencyKey: string, fields: string[], options?: { cause?: unknown }) {
    super(
      `idempotency key "${idempotencyKey}" was already used for a different call (fields that differ: ${fields.join(', ') || 'unknown'}); nothing was written. Use a new key for a new call.`,
      'IDEMPOTENCY_CONFLICT',
      options,
    );
    this.name = 'IdempotencyConflictError';
    this.idempotencyKey = idempotencyKey;
    this.fields = fields;
  }
}

export class NotFoundError extends OmniError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'NOT_FOUND', options);
    this.name = 'NotFoundError';
  }
}

/** The database could not be reached or started. */
export class DatabaseUnavailableError extends OmniError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'DATABASE_UNAVAILABLE', options);
    this.name = 'DatabaseUnavailableError';
  }
}
