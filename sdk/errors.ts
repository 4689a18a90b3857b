/**
 * One error type for the whole project, with stable machine codes (as jose's `code`).
 * Messages are for people; programs branch on `code`.
 */
export class CertchainError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CertchainError";
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** Whether `value` is a {@link CertchainError}, optionally with the given `code`. */
export function isCertchainError(value: unknown, code?: string): value is CertchainError {
  return value instanceof CertchainError && (code === undefined || value.code === code);
}
