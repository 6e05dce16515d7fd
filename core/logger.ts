// Structured logs to stderr, so stdout stays clean for --json output.
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string): Logger {
  return pino({ level, base: null }, pino.destination(2))
}
