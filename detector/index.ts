import type { Finding, PageCapture, PageVerdict, ScriptVerdict } from '../core/types.ts'
import { sha256 } from '../core/hash.ts'
import { allowlisted, applyAllowlist, defaultAllowlist } from './allowlist.ts'
import type { AnalyzeContext } from './context.ts'
import { collectLayer } from './collect.ts'
import { emptyFacts, type ScriptFacts } from './facts.ts'
import { judgePage as judge } from './judge-page.ts'
import { notJavaScriptReason, parseSource } from './parse.ts'
import { hostOf } from './paths.ts'
import { RULES } from './rules/index.ts'
import { capModifiers, scoreOf, toFindings, verdictOf } from './score.ts'
import { builtinSignatures } from './signatures/builtin.ts'
import { yaraFindings } from './signatures/scan.ts'
import { findSinks } from './sinks.ts'

/** Bump whenever rules or signatures change: cached verdicts are keyed by sha256 + this. */
export const RULES_VERSION = '2026.11.4'

export type { AnalyzeContext } from './context.ts'
export type { SignatureSet } from './signatures/compile.ts'
export { compileSignatures } from './signatures/compile.ts'
export { builtinSignatureInput, builtinSignatures } from './signatures/builtin.ts'
export { createAllowlist, defaultAllowlist, type Allowlist } from './allowlist.ts'
export { createDetector, type Detector, type DetectorStats } from './cache.ts'

/** Inputs larger than this are not parsed (acorn ~5 MB/s; keeps a worker responsive). */
export const MAX_BYTES = 5 * 1024 * 1024
const LAYER_BYTES = 2 * 1024 * 1024

function info(rule: string, message: string): Finding {
  return { rule, severity: 'info', message, line: 1, column: 0, points: 0 }
}

function verdictFrom(hash: string, findings: Finding[]): ScriptVerdict {
  const score = scoreOf(findings)
  return { sha256: hash, verdict: verdictOf(score), score, findings, rulesVersion: RULES_VERSION }
}

/** A verdict before the allowlist, and whether it depends on where the script ran. */
export interface Inspection {
  verdict: ScriptVerdict
  /** false when some sink URL is absolute, so same-origin vs external depends on ctx */
  contextFree: boolean
  parsed: boolean
}

/** Parse, run rules and signatures. Never executes the script; never throws on hostile input. */
export function inspectScript(source: string, ctx: AnalyzeContext = {}): Inspection {
  const hash = sha256(source)
  const signatures = ctx.signatures ?? builtinSignatures()
  const done = (all: Finding[], parsed: boolean, contextFree = true): Inspection => {
    all.sort((a, b) => b.points - a.points || a.line - b.line)
    return { verdict: verdictFrom(hash, capModifiers(all)), contextFree, parsed }
  }
  if (source.length > MAX_BYTES) {
    // YARA scans hundreds of MB/s, so oversized files still get their signature check.
    const raw = emptyFacts(source, hash)
    return done(
      [
        info(
          'analysis-budget',
          `script is ${source.length} bytes, over the ${MAX_BYTES}-byte analysis budget`,
        ),
        ...yaraFindings(raw, signatures),
      ],
      false,
    )
  }
  let facts: ScriptFacts
  try {
    const parsed = parseSource(source)
    const notJs = notJavaScriptReason(source, !parsed.loose)
    if (notJs) return done([info('not-javascript', `input is ${notJs}, not JavaScript`)], true)
    facts = emptyFacts(source, hash)
    collectLayer({ ast: parsed.ast, source, depth: 0, outer: undefined }, facts, {
      bytesLeft: LAYER_BYTES,
    })
    facts.sinks = findSinks(facts, ctx)
  } catch (err) {
    if (err instanceof RangeError)
      return done([info('analysis-budget', 'script is nested too deeply to analyse')], true)
    throw err
  }
  const findings: Finding[] = []
  for (const rule of RULES) {
    try {
      findings.push(...toFindings(rule, rule.check(facts, ctx)))
    } catch (err) {
      if (!(err instanceof RangeError)) throw err
      findings.push(info('analysis-budget', `rule ${rule.id} ran out of stack on this script`))
    }
  }
  findings.push(...yaraFindings(facts, signatures))
  const contextFree = facts.sinks.every((s) => !s.urlText || hostOf(s.urlText) === undefined)
  return done(findings, true, contextFree)
}

/** Apply the allowlist (ctx.allowlist or the built-in one) to an inspected verdict. */
export function finishVerdict(v: ScriptVerdict, ctx: AnalyzeContext): ScriptVerdict {
  const hit = allowlisted(ctx.allowlist ?? defaultAllowlist(), v.sha256, ctx.url)
  return hit ? applyAllowlist(v, hit) : v
}

/** Judge one script statically (uncached; see createDetector for the cached form). */
export function analyzeScript(source: string, ctx: AnalyzeContext = {}): ScriptVerdict {
  return finishVerdict(inspectScript(source, ctx).verdict, ctx)
}

/** Page verdict: script verdicts plus what the browser saw leave the page. */
export function judgePage(capture: PageCapture, verdicts: ScriptVerdict[]): PageVerdict {
  return judge(capture, verdicts)
}
