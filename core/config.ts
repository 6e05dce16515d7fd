// The only reader of process.env: every setting is validated here, once.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  _default,
  coerce,
  enum as oneOf,
  gte,
  int,
  lte,
  object,
  optional,
  pipe,
  nonnegative,
  positive,
  refine,
  regex,
  string,
  superRefine,
  trim,
} from 'zod/mini'
import '../detector/zod-messages.ts'
import { ConfigError } from './errors.ts'

const optionalUrl = (protocols: string[], example: string) =>
  optional(string().check(trim())).check(
    refine(
      (v) => v === undefined || protocols.some((p) => v.startsWith(`${p}://`)),
      `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}, e.g. ${example}`,
    ),
  )

const count = () => pipe(coerce.number(), int().check(positive()))
const positiveInt = (fallback: number) => _default(count(), fallback)

const schema = object({
  DATABASE_URL: optionalUrl(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/test'),
  REDIS_URL: optionalUrl(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  SMTP_URL: optionalUrl(['smtp', 'smtps'], 'smtp://user:pass@mail.example.org:587'),
  SKIMWATCH_HOME: _default(string(), '.skimwatch'),
  SKIMWATCH_DB_SCHEMA: optional(
    string().check(regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _ only')),
  ),
  SKIMWATCH_MAIL_FROM: optional(
    string().check(
      regex(/^[^@\s<>]+@[^@\s<>]+$/, 'must be an address like skimwatch@cert.example'),
    ),
  ),
  SKIMWATCH_PUBLIC_URL: _default(
    string().check(regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')),
    'http://127.0.0.1:8080',
  ),
  SKIMWATCH_RESCAN_DAYS: positiveInt(7),
  SKIMWATCH_DEFAULT_TLP: _default(
    oneOf(['clear', 'green', 'amber', 'amber+strict', 'red']),
    'amber',
  ),
  SKIMWATCH_MAX_REMINDERS: _default(pipe(coerce.number(), int()), 2),
  SKIMWATCH_CERT_EMAIL: optional(
    string().check(regex(/^[^@\s<>]+@[^@\s<>]+$/, 'must be an address like cert@cert.example')),
  ),
  SKIMWATCH_RDAP_URL: _default(
    string().check(regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')),
    'https://rdap.org',
  ),
  SKIMWATCH_DNS_SERVERS: optional(string()),
  SKIMWATCH_MAIL_PER_DOMAIN_HOUR: positiveInt(20),
  SKIMWATCH_APPROVE_BELOW: _default(pipe(coerce.number(), int()), 0),
  SKIMWATCH_DKIM_SELECTOR: optional(string().check(regex(/^[\w.-]+$/, 'a DNS label'))),
  SKIMWATCH_DKIM_KEY_FILE: optional(string()),
  SKIMWATCH_CHROMIUM: optional(string()),
  SKIMWATCH_SIGNATURES: optional(string()),
  SKIMWATCH_CONCURRENCY: positiveInt(2),
  SKIMWATCH_PAGE_TIMEOUT_MS: positiveInt(30_000),
  SKIMWATCH_HOST_DELAY_MS: _default(pipe(coerce.number(), int().check(nonnegative())), 5_000),
  SKIMWATCH_EXCLUSIONS: optional(string()),
  SKIMWATCH_FILL_ROUNDS: _default(pipe(coerce.number(), int().check(gte(1), lte(10))), 3),
  SKIMWATCH_PAGE_TIME_MS: _default(
    pipe(coerce.number(), int().check(gte(0), lte(600_000))),
    60_000,
  ),
  SKIMWATCH_CAPTURE_QUOTA_MB: optional(count()),
  SKIMWATCH_ANALYZE_THREADS: optional(count()),
  SKIMWATCH_QUEUE_PREFIX: _default(
    string().check(regex(/^[\w:-]+$/, 'letters, digits, _ - : only')),
    'skimwatch',
  ),
  LOG_LEVEL: _default(
    oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    'warn',
  ),
}).check(
  superRefine((e, ctx) => {
    // workers on several machines must share one store: an embedded one per worker would not
    if (e.REDIS_URL && !e.DATABASE_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message:
          'needs DATABASE_URL too (queued workers share one PostgreSQL store); unset REDIS_URL to run embedded',
      })
    if (e.SMTP_URL && !e.SKIMWATCH_MAIL_FROM)
      ctx.addIssue({
        code: 'custom',
        path: ['SKIMWATCH_MAIL_FROM'],
        message: 'must be set when SMTP_URL is: owners reply to this address',
      })
  }),
)

export interface Config {
  databaseUrl: string | undefined
  redisUrl: string | undefined
  smtpUrl: string | undefined
  /** PostgreSQL schema for skimwatch's tables (default: public) */
  dbSchema: string | undefined
  /** directory for the embedded store, outbox and caches */
  home: string
  mailFrom: string
  /** where the web app is reached from outside: one-click unsubscribe links point there */
  publicUrl: string
  /** the TLP 2.0 label a newly confirmed indicator is shared under, unless the analyst says */
  defaultTlp: 'clear' | 'green' | 'amber' | 'amber+strict' | 'red'
  /** days between rescans of a site with an open case (and between reminders) */
  rescanDays: number
  /** reminders at most while a site stays infected */
  maxReminders: number
  /** last-resort contact (a national CERT) */
  certEmail: string | undefined
  /** RDAP service for registrar and network abuse contacts */
  rdapUrl: string
  /** DNS servers for MX look-ups (`127.0.0.1:5353,…`); unset: the system's */
  dnsServers: string[] | undefined
  /** emails at most per hour to one recipient domain */
  mailPerDomainHour: number
  /** notices whose verdict confidence (0–100) is below this wait for an analyst's release */
  approveBelow: number
  /** DKIM signing of owner emails with this selector and the key in dkimKeyFile */
  dkimSelector: string | undefined
  dkimKeyFile: string | undefined
  chromiumPath: string | undefined
  /** directory of extra YARA (*.yar) and JSON IOC files; default $SKIMWATCH_HOME/signatures */
  signaturesDir: string
  concurrency: number
  pageTimeoutMs: number
  /** minimum pause between two visits to one host */
  hostDelayMs: number
  /** operators' list of domains never to visit; default $SKIMWATCH_HOME/exclusions.txt (when it exists) */
  exclusionsFile: string
  /** most times the card is typed on one form when new code appears */
  fillRounds: number
  /** page time (ms) the crawler runs a page's timers ahead after each fill */
  pageTimeMs: number
  /** the store may hold this many MB of captures and results; unset: no limit */
  captureQuotaMb: number | undefined
  queuePrefix: string
  logLevel: string
  /** threads `analyze` judges files on; unset: one per core but one (at most 8), 1: the main thread */
  analyzeThreads: number | undefined
}

/** Variables that carry a password: each may come from a file instead (`SMTP_URL_FILE`, Docker secrets). */
const SECRET_VARS = ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL'] as const

function withSecretFiles(env: Record<string, string>): Record<string, string> {
  const out = { ...env }
  for (const name of SECRET_VARS) {
    const file = env[`${name}_FILE`]
    if (file === undefined) continue
    if (env[name] !== undefined)
      throw new ConfigError(
        `invalid configuration:\n  ${name}_FILE: set ${name} or ${name}_FILE, not both`,
      )
    try {
      out[name] = readFileSync(file, 'utf8').trim()
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? 'unreadable'
      throw new ConfigError(`invalid configuration:\n  ${name}_FILE: cannot read ${file} (${why})`)
    }
  }
  return out
}

/** Reads and validates configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // an empty variable means unset, as in most shells' `VAR= command`
  const present = withSecretFiles(
    Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => Boolean(e[1]?.trim())),
    ),
  )
  const parsed = schema.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    smtpUrl: e.SMTP_URL,
    dbSchema: e.SKIMWATCH_DB_SCHEMA,
    home: path.resolve(e.SKIMWATCH_HOME),
    mailFrom: e.SKIMWATCH_MAIL_FROM ?? 'skimwatch@localhost',
    publicUrl: e.SKIMWATCH_PUBLIC_URL,
    defaultTlp: e.SKIMWATCH_DEFAULT_TLP,
    rescanDays: e.SKIMWATCH_RESCAN_DAYS,
    maxReminders: Math.max(0, e.SKIMWATCH_MAX_REMINDERS),
    certEmail: e.SKIMWATCH_CERT_EMAIL,
    rdapUrl: e.SKIMWATCH_RDAP_URL,
    dnsServers: e.SKIMWATCH_DNS_SERVERS?.split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    mailPerDomainHour: e.SKIMWATCH_MAIL_PER_DOMAIN_HOUR,
    approveBelow: e.SKIMWATCH_APPROVE_BELOW,
    dkimSelector: e.SKIMWATCH_DKIM_SELECTOR,
    dkimKeyFile: e.SKIMWATCH_DKIM_KEY_FILE,
    chromiumPath: e.SKIMWATCH_CHROMIUM,
    signaturesDir: path.resolve(
      e.SKIMWATCH_SIGNATURES ?? path.join(e.SKIMWATCH_HOME, 'signatures'),
    ),
    concurrency: e.SKIMWATCH_CONCURRENCY,
    pageTimeoutMs: e.SKIMWATCH_PAGE_TIMEOUT_MS,
    hostDelayMs: e.SKIMWATCH_HOST_DELAY_MS,
    exclusionsFile: path.resolve(
      e.SKIMWATCH_EXCLUSIONS ?? path.join(e.SKIMWATCH_HOME, 'exclusions.txt'),
    ),
    fillRounds: e.SKIMWATCH_FILL_ROUNDS,
    pageTimeMs: e.SKIMWATCH_PAGE_TIME_MS,
    captureQuotaMb: e.SKIMWATCH_CAPTURE_QUOTA_MB,
    queuePrefix: e.SKIMWATCH_QUEUE_PREFIX,
    logLevel: e.LOG_LEVEL,
    analyzeThreads: e.SKIMWATCH_ANALYZE_THREADS,
  }
}
