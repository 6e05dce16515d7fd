import { hostOf, registrable } from '../paths.ts'
import { PROCESSOR_BRANDS, PROCESSOR_DOMAINS, processorOf } from '../processors.ts'
import { BRANDS, REAL_DOMAINS, lookalikeOf } from './brands.ts'
import type { Evidence, Rule } from './types.ts'

const BARE_HOST =
  /^[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|io|co|ru|su|cn|top|xyz|info|biz|pw|ws|cc|me|us|uk|de|fr|nl|eu|in|online|site|store|shop|app|dev|club|live|tech|cloud|link|icu|test)$/i

// CDN, analytics and platform brands plus every payment processor's own names and domains.
const ALL_BRANDS = { ...BRANDS, ...PROCESSOR_BRANDS }
const GENUINE = new Set([...REAL_DOMAINS, ...PROCESSOR_DOMAINS])

/** Why a host impersonates a brand or a payment processor, or undefined when it does not. */
export function impersonates(host: string): string | undefined {
  if (processorOf(host)) return undefined
  return lookalikeOf(host, ALL_BRANDS, GENUINE)
}

export const lookalikeDomain = {
  id: 'lookalike-domain',
  severity: 'medium',
  description:
    'Talks to a host that imitates a well-known CDN, analytics or payment brand, or a payment processor',
  points: 55,
  check(script, ctx) {
    const evidence: Evidence[] = []
    // The shop's own domain is what it is, whatever it resembles (a pet shop called collie-…).
    const page = ctx.pageUrl ? hostOf(ctx.pageUrl) : undefined
    const own = page ? registrable(page) : undefined
    const seen = new Set<string>()
    const sinkHosts = new Set(script.sinks.map((s) => (s.urlText ? hostOf(s.urlText) : undefined)))
    for (const s of script.strings) {
      if (s.value.length > 2000) continue
      const host = hostOf(s.value) ?? (BARE_HOST.test(s.value) ? s.value.toLowerCase() : undefined)
      if (!host || seen.has(host) || registrable(host) === own) continue
      seen.add(host)
      const why = impersonates(host)
      if (!why) continue
      const used = sinkHosts.has(host)
      evidence.push({
        site: s.site,
        message: `${host} ${why}${used ? ' and receives a request' : ''}`,
        points: used ? 55 : 25,
        severity: used ? 'high' : 'medium',
      })
    }
    evidence.sort((a, b) => (b.points ?? 0) - (a.points ?? 0))
    return evidence.map((e, i) => (i === 0 ? e : { ...e, points: 0 }))
  },
} satisfies Rule
