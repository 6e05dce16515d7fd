// Secrets travel in URLs (SMTP_URL, DATABASE_URL, REDIS_URL): their passwords never reach a log line.

/** Fields whose value is a secret whatever it looks like. */
const SECRET_KEY = /pass(word)?$|secret|dkim|private.?key|token|api.?key/i

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi

/** 'smtp://user:pw@host' → 'smtp://user:***@host', anywhere in `text`. */
export function redactSecrets(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@')
}

/** The same, through every string of a log record (bounded depth, cycles left alone). */
export function redactRecord(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value)
  if (value instanceof Error) {
    const err: Record<string, unknown> = {
      type: value.name,
      message: redactSecrets(value.message),
      stack: redactSecrets(value.stack ?? ''),
    }
    return err
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => redactRecord(v, depth + 1))
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) && v != null ? '***' : redactRecord(v, depth + 1),
    ]),
  )
}
