import type { ScriptVerdict } from '../core/types.ts'
import { sha256 } from '../core/hash.ts'
import type { Allowlist } from './allowlist.ts'
import {
  ANALYSIS_ERROR,
  RULES_VERSION,
  failedVerdict,
  finishVerdict,
  inspectScript,
  type DocumentContext,
} from './index.ts'
import { hostOf, registrable } from './paths.ts'
import type { Rule } from './rules/index.ts'
import { builtinSignatures } from './signatures/builtin.ts'
import type { SignatureSet } from './signatures/compile.ts'

export interface DetectorOptions {
  signatures?: SignatureSet
  allowlist?: Allowlist
  /** verdicts kept (least recently used evicted first); default 10,000 */
  cacheSize?: number
  /** the rules to run instead of the built-in ones (tests) */
  rules?: readonly Rule[]
}

export interface DetectorStats {
  hits: number
  misses: number
  /** scripts actually parsed: a cache hit never parses */
  parses: number
  size: number
}

export interface Detector {
  /** never throws: a failed analysis is a verdict with an 'analysis-error' finding */
  analyze(source: string, ctx?: DocumentContext): ScriptVerdict
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
  const analyze = (source: string, ctx: DocumentContext): ScriptVerdict => {
    const signatures = ctx.signatures ?? options.signatures ?? builtinSignatures()
    const full: DocumentContext = {
      ...ctx,
      signatures,
      ...((ctx.allowlist ?? options.allowlist)
        ? { allowlist: ctx.allowlist ?? options.allowlist }
        : {}),
    }
    // the same text read as HTML (a .html file) is another judgement
    const base = `${sha256(source)}|${RULES_VERSION}|${signatures.version}${ctx.html ? '|html' : ''}`
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
    const got = inspectScript(source, full, options.rules)
    if (got.parsed) stats.parses++
    // a failed analysis is not remembered: the next sighting tries again
    if (!got.verdict.findings.some((f) => f.rule === ANALYSIS_ERROR)) {
      lru.set(got.contextFree ? base : scoped, got.verdict)
      if (lru.size > max) lru.delete(lru.keys().next().value as string)
    }
    return finishVerdict(got.verdict, full)
  }
  return {
    analyze(source, ctx = {}) {
      try {
        return analyze(source, ctx)
      } catch (err) {
        return failedVerdict(sha256(String(source)), err)
      }
    },
    stats: () => ({ ...stats, size: lru.size }),
  }
}
