import {
  array,
  iso,
  minLength,
  object,
  optional,
  refine,
  regex,
  string,
  toLowerCase,
  type infer as Infer,
} from 'zod/mini'
import './zod-messages.ts'
import type { Finding, ScriptVerdict } from '../core/types.ts'
import defaults from './allowlist-default.json' with { type: 'json' }
import { hostOf } from './paths.ts'

// Built on first use: a start of the CLI reads only the shipped list, which the test suite
// validates (test/unit/detector-allowlist.test.ts) instead of each start.
function buildEntry() {
  return object({
    sha256: optional(string().check(regex(/^[0-9a-fA-F]{64}$/), toLowerCase())),
    host: optional(
      string().check(
        regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a host like js.stripe.com or *.adyen.com'),
        toLowerCase(),
      ),
    ),
    reason: string().check(minLength(1)),
    expires: iso.date(),
  }).check(
    refine((e) => e.sha256 !== undefined || e.host !== undefined, {
      message: 'an entry needs sha256 or host',
    }),
  )
}
let entrySchema: ReturnType<typeof buildEntry> | undefined

export type AllowEntry = Infer<ReturnType<typeof buildEntry>>

/** Known-good scripts by sha256 and by the host that serves them; expired entries are ignored. */
export interface Allowlist {
  entries: AllowEntry[]
}

/** Validate allowlist entries (throws a zod error naming the bad entry). */
export function createAllowlist(entries: unknown[]): Allowlist {
  entrySchema ??= buildEntry()
  return { entries: array(entrySchema).parse(entries) }
}

let builtin: Allowlist | undefined
export function defaultAllowlist(): Allowlist {
  // shipped valid and normalised (lower-case, as the schema leaves it): taken as it stands
  builtin ??= { entries: defaults.entries }
  return builtin
}

/** `host` is `pattern`, or under it when the pattern is `*.domain`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host
  const base = pattern.slice(2)
  return host === base || host.endsWith(`.${base}`)
}

/** The unexpired entry that vouches for this script, if any. */
export function allowlisted(
  list: Allowlist,
  sha256: string,
  url: string | null | undefined,
  now: Date = new Date(),
): AllowEntry | undefined {
  const today = now.toISOString().slice(0, 10)
  const host = url ? hostOf(url) : undefined
  return list.entries.find(
    (e) =>
      e.expires >= today &&
      ((e.sha256 !== undefined && e.sha256 === sha256) ||
        (e.host !== undefined && host !== undefined && hostMatches(e.host, host))),
  )
}

/** Keep the findings as a record but zero their points: the verdict is clean, with the reason. */
export function applyAllowlist(v: ScriptVerdict, e: AllowEntry): ScriptVerdict {
  const by = e.sha256 !== undefined ? `sha256 ${e.sha256.slice(0, 12)}…` : `host ${e.host ?? ''}`
  const note: Finding = {
    rule: 'allowlisted',
    severity: 'info',
    message: `allowlisted by ${by}: ${e.reason} (until ${e.expires}; would score ${v.score})`,
    line: 1,
    column: 0,
    points: 0,
  }
  const findings = [note, ...v.findings.map((f) => ({ ...f, points: 0 }))]
  return { ...v, verdict: 'clean', score: 0, findings }
}
