import signatures from '../signatures/default.json' with { type: 'json' }
import { hostOf } from '../paths.ts'
import type { Evidence, Rule } from './types.ts'

interface Pattern {
  id: string
  family: string
  description: string
  all: RegExp[]
  points: number
}

const DOMAINS = new Map(signatures.domains.map((d) => [d.domain.toLowerCase(), d]))
const HASHES = new Map(
  (signatures.sha256 as { sha256: string; family: string }[]).map((h) => [
    h.sha256.toLowerCase(),
    h,
  ]),
)
const PATTERNS: Pattern[] = signatures.patterns.map((p) => ({
  ...p,
  all: p.all.map((r) => new RegExp(r)),
}))

function knownDomain(host: string): string | undefined {
  const labels = host.split('.')
  for (let i = 0; i < labels.length - 1; i++) {
    const d = labels.slice(i).join('.')
    if (DOMAINS.has(d)) return d
  }
  return undefined
}

export const knownBadSignature = {
  id: 'known-bad-signature',
  severity: 'critical',
  description: 'Matches a known skimmer domain, file hash or kit pattern from the signature set',
  points: 80,
  check(script) {
    const ev: Evidence[] = []
    const top = { line: 1, column: 0, snippet: script.source.slice(0, 80), layer: 0 }
    const hash = HASHES.get(script.sha256)
    if (hash) ev.push({ site: top, message: `file hash is a known ${hash.family} skimmer` })
    const seen = new Set<string>()
    for (const s of script.strings) {
      const host =
        s.value.length < 2000
          ? (hostOf(s.value) ?? (/^[\w.-]+$/.test(s.value) ? s.value.toLowerCase() : undefined))
          : undefined
      const d = host ? knownDomain(host) : undefined
      if (!d || seen.has(d)) continue
      seen.add(d)
      ev.push({
        site: s.site,
        message: `known skimmer domain ${d} (${DOMAINS.get(d)?.family ?? 'unknown'})`,
      })
    }
    const texts = [script.source, ...script.layers]
    for (const p of PATTERNS) {
      if (!texts.some((t) => p.all.every((r) => r.test(t)))) continue
      ev.push({ site: top, message: `${p.description} (${p.family})`, points: p.points })
    }
    ev.sort((a, b) => (b.points ?? 80) - (a.points ?? 80))
    return ev.map((e, i) => (i === 0 ? e : { ...e, points: 0 }))
  },
} satisfies Rule
