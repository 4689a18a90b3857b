import pino from "pino";

/**
 * What server modules log through: one message at a level. The service's pino logger is one
 * (createLogger); a command that reports progress on a terminal can pass its own.
 */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/**
 * The service's one logger: pino, one JSON line per entry on stdout, at `level` (LOG_LEVEL).
 * The HTTP app logs requests through it too (fastify's `loggerInstance`).
 */
export function createLogger(level: string): pino.Logger {
  return pino({ level });
}

/** Logs nothing: for callers (tests, tools) that do not say how to log. */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
