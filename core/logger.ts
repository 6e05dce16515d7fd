// Structured logs to stderr, so stdout stays clean for --json output; passwords in URLs are masked.
// pino is loaded on the first message at an enabled level: a command that logs nothing (most
// runs of `analyze`) does not pay for loading it at start-up.
import { createRequire } from 'node:module'
import type * as PinoModule from 'pino'
import type { DestinationStream, LogFn, Logger as Pino } from 'pino'
import { redactRecord, redactSecrets } from './redact.ts'

const LEVELS = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10 } as const
type Level = keyof typeof LEVELS

/** What skimwatch logs through: pino's level methods. */
export type Logger = Pick<Pino, Level>

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const threshold = LEVELS[level as Level] ?? Infinity // 'silent' and unknown: nothing
  let pino: Pino | undefined
  const out = {} as Logger
  for (const name of Object.keys(LEVELS) as Level[]) {
    const log: LogFn = (...args: Parameters<LogFn>) => {
      if (LEVELS[name] < threshold) return
      pino ??= createPino(level, destination)
      pino[name](...args)
    }
    out[name] = log
  }
  return out
}

function createPino(level: string, destination?: DestinationStream): Pino {
  const { pino } = createRequire(import.meta.url)('pino') as typeof PinoModule
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
