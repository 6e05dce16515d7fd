// Structured logs to stderr, so stdout stays clean for --json output; passwords in URLs are masked.
import { pino, type DestinationStream, type Logger } from 'pino'
import { redactRecord, redactSecrets } from './redact.ts'

export type { Logger }

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: null,
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => redactRecord(a)) as Parameters<typeof method>
          method.apply(this, clean)
        },
      },
      redact: {
        paths: ['*.password', '*.smtpPass', '*.dkimKey', '*.sessionSecret'],
        censor: '***',
      },
    },
    destination ?? pino.destination(2),
  )
}

export { redactSecrets }
