/**
 * One JSON object per line on stderr: greppable locally, ingestible by any log
 * shipper. pino writes the lines (synchronously: a crash loses no line before
 * it); this module keeps the service's own call shape, message first, and its
 * line shape: {"level":"warn","time":"<ISO 8601>",…fields,"msg":"…"}.
 */
import { pino, stdSerializers, stdTimeFunctions } from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(min: LogLevel, write?: (line: string) => void): Logger {
  const destination = write ? { write } : pino.destination({ fd: 2, sync: true });
  const log = pino(
    {
      level: min,
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors under the keys the service uses, with their stacks.
      serializers: { error: stdSerializers.err, err: stdSerializers.err },
    },
    destination,
  );
  return {
    debug: (msg, fields = {}) => log.debug(fields, msg),
    info: (msg, fields = {}) => log.info(fields, msg),
    warn: (msg, fields = {}) => log.warn(fields, msg),
    error: (msg, fields = {}) => log.error(fields, msg),
  };
}
