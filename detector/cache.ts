import type { ScriptVerdict } from '../core/types.ts'
import { sha256 } from '../core/hash.ts'
import type { Allowlist } from './allowlist.ts'
import type { AnalyzeContext } from './context.ts'
import { RULES_VERSION, finishVerdict, inspectScript } from './index.ts'
import { hostOf, registrable } from './paths.ts'
import { builtinSignatures } from './signatures/builtin.ts'
import type { SignatureSet } from './signatures/compile.ts'

export interface DetectorOptions {
  signatures?: SignatureSet
  allowlist?: Allowlist
  /** verdicts kept (least recently used evicted first); default 10,000 */
  cacheSize?: number
}

export interface DetectorStats {
  hits: number
  misses: number
  /** scripts actually parsed: a cache hit never parses */
  parses: number
  size: number
}

export interface Detector {
  analyze(source: string, ctx?: AnalyzeContext): ScriptVerdict
  stats(): DetectorStats
}

/** A detector with a verdict cache keyed by sha256 + RULES_VERSION + signature-set version. */
export function createDetector(options: DetectorOptions = {}): Detector {
  const max = Math.max(1, options.cacheSize ?? 10_000)
  const lru = new Map<string, ScriptVerdict>()
  const stats = { hits: 0, misses: 0, parses: 0 }
  const site = (url: string | null | undefined): string => {
    const h = url ? hostOf(url) : undefined
    return h ? registrable(h) : '-'
  }
  return {
    analyze(source, ctx = {}) {
      const signatures = ctx.signatures ?? options.signatures ?? builtinSignatures()
      const full: AnalyzeContext = {
        ...ctx,
        signatures,
        ...((ctx.allowlist ?? options.allowlist)
          ? { allowlist: ctx.allowlist ?? options.allowlist }
          : {}),
      }
      const base = `${sha256(source)}|${RULES_VERSION}|${signatures.version}`
      // Most scripts judge the same on every site; the rest are keyed by page and own site too.
      const scoped = `${base}|${site(ctx.pageUrl)}|${site(ctx.url)}`
      const found = lru.has(base) ? base : lru.has(scoped) ? scoped : undefined
      const hit = found === undefined ? undefined : lru.get(found)
      if (found !== undefined && hit) {
        stats.hits++
        lru.delete(found)
        lru.set(found, hit)
        return finishVerdict(hit, full)
      }
      stats.misses++
      const got = inspectScript(source, full)
      if (got.parsed) stats.parses++
      const key = got.contextFree ? base : scoped
      lru.set(key, got.verdict)
      if (lru.size > max) lru.delete(lru.keys().next().value as string)
      return finishVerdict(got.verdict, full)
    },
    stats: () => ({ ...stats, size: lru.size }),
  }
}
