import { hostOf } from '../paths.ts'
import { matchAstPattern } from '../signatures/ast-match.ts'
import { builtinSignatures } from '../signatures/builtin.ts'
import type { Ioc, SignaturePattern, SignatureSet } from '../signatures/compile.ts'
import type { ScriptFacts, Site } from '../facts.ts'
import type { Evidence, Rule } from './types.ts'

function knownDomain(domains: Map<string, Ioc>, host: string): string | undefined {
  const labels = host.split('.')
  for (let i = 0; i < labels.length - 1; i++) {
    const d = labels.slice(i).join('.')
    if (domains.has(d)) return d
  }
  return undefined
}

function patternSite(script: ScriptFacts, p: SignaturePattern, top: Site): Site | undefined {
  if (p.all.length > 0) {
    const texts = [script.source, ...script.layers]
    if (!texts.some((t) => p.all.every((r) => r.test(t)))) return undefined
  }
  return p.ast ? matchAstPattern(script, p) : top
}

export const knownBadSignature = {
  id: 'known-bad-signature',
  severity: 'critical',
  description:
    'Matches a known skimmer domain, file hash, regex or AST pattern from the signature set',
  points: 80,
  check(script, ctx) {
    const set: SignatureSet = ctx.signatures ?? builtinSignatures()
    const ev: Evidence[] = []
    const top = { line: 1, column: 0, snippet: script.source.slice(0, 80), layer: 0 }
    const hash = set.hashes.get(script.sha256)
    if (hash) ev.push({ site: top, message: `file hash is a known ${hash.family} skimmer` })
    const seen = new Set<string>()
    if (set.domains.size > 0)
      for (const s of script.strings) {
        const host =
          s.value.length < 2000
            ? (hostOf(s.value) ?? (/^[\w.-]+$/.test(s.value) ? s.value.toLowerCase() : undefined))
            : undefined
        const d = host ? knownDomain(set.domains, host) : undefined
        if (!d || seen.has(d)) continue
        seen.add(d)
        ev.push({
          site: s.site,
          message: `known skimmer domain ${d} (${set.domains.get(d)?.family ?? 'unknown'})`,
        })
      }
    for (const p of set.patterns) {
      const site = patternSite(script, p, top)
      if (site)
        ev.push({
          site,
          message: `${p.description} (${p.family}, ${p.id})`,
          points: p.points,
          severity: p.severity,
        })
    }
    ev.sort((a, b) => (b.points ?? 80) - (a.points ?? 80))
    return ev.map((e, i) => (i === 0 ? e : { ...e, points: 0 }))
  },
} satisfies Rule
