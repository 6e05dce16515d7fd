import { hostOf, isIpHost, registrable } from '../paths.ts'
import { BRANDS, REAL_DOMAINS, editDistance, unleet } from './brands.ts'
import type { Evidence, Rule } from './types.ts'

const BARE_HOST =
  /^[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|io|co|ru|su|cn|top|xyz|info|biz|pw|ws|cc|me|us|uk|de|fr|nl|eu|in|online|site|store|shop|app|dev|club|live|tech|cloud|link|icu|test)$/i

/** Why a host impersonates a brand, or undefined when it does not. */
export function impersonates(host: string): string | undefined {
  if (isIpHost(host)) return undefined
  const reg = registrable(host)
  if (REAL_DOMAINS.has(reg)) return undefined
  const plain = unleet(host.replace(/\.(test|local|localhost)$/, ''))
  for (const brand of Object.keys(BRANDS)) {
    if (plain.includes(brand)) return `uses the name "${brand}" but is not ${BRANDS[brand]?.[0]}`
  }
  // Compare the whole name and each dash-separated word (cdn-cloudfiare) with real brand names.
  const sld = unleet(reg.split('.')[0] ?? '')
  const words = new Set([sld, ...plain.split(/[.-]/).filter((w) => w.length >= 5)])
  for (const real of REAL_DOMAINS) {
    const realSld = real.split('.')[0] ?? ''
    if (realSld.length < 5) continue
    const max = realSld.length >= 8 ? 2 : 1
    for (const w of words) {
      if (w !== realSld && editDistance(w, realSld, max) <= max) return `is a typo of ${real}`
    }
  }
  return undefined
}

export const lookalikeDomain = {
  id: 'lookalike-domain',
  severity: 'medium',
  description: 'Talks to a host that imitates a well-known CDN, analytics or payment brand',
  points: 55,
  check(script) {
    const evidence: Evidence[] = []
    const seen = new Set<string>()
    const sinkHosts = new Set(script.sinks.map((s) => (s.urlText ? hostOf(s.urlText) : undefined)))
    for (const s of script.strings) {
      if (s.value.length > 2000) continue
      const host = hostOf(s.value) ?? (BARE_HOST.test(s.value) ? s.value.toLowerCase() : undefined)
      if (!host || seen.has(host)) continue
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
