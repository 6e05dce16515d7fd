import type { Finding, PageCapture, PageVerdict, ScriptVerdict } from '../core/types.ts'
import { sha256 } from '../core/hash.ts'
import type { AnalyzeContext } from './context.ts'
import { collectLayer } from './collect.ts'
import type { ScriptFacts } from './facts.ts'
import { judgePage as judge } from './judge-page.ts'
import { notJavaScriptReason, parseSource } from './parse.ts'
import { RULES } from './rules/index.ts'
import { scoreOf, toFindings, verdictOf } from './score.ts'
import { findSinks } from './sinks.ts'

/** Bump whenever rules or signatures change: cached verdicts are keyed by sha256 + this. */
export const RULES_VERSION = '2026.11.1'

export type { AnalyzeContext } from './context.ts'

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

/** Judge one script statically. Never executes it; never throws on hostile input. */
export function analyzeScript(source: string, ctx: AnalyzeContext = {}): ScriptVerdict {
  const hash = sha256(source)
  if (source.length > MAX_BYTES)
    return verdictFrom(hash, [
      info(
        'analysis-budget',
        `script is ${source.length} bytes, over the ${MAX_BYTES}-byte analysis budget`,
      ),
    ])
  let facts: ScriptFacts
  try {
    const parsed = parseSource(source)
    const notJs = notJavaScriptReason(source, !parsed.loose)
    if (notJs)
      return verdictFrom(hash, [info('not-javascript', `input is ${notJs}, not JavaScript`)])
    facts = emptyFacts(source, hash)
    collectLayer({ ast: parsed.ast, source, depth: 0, outer: undefined }, facts, {
      bytesLeft: LAYER_BYTES,
    })
    facts.sinks = findSinks(facts, ctx)
  } catch (err) {
    if (err instanceof RangeError)
      return verdictFrom(hash, [info('analysis-budget', 'script is nested too deeply to analyse')])
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
  findings.sort((a, b) => b.points - a.points || a.line - b.line)
  return verdictFrom(hash, findings)
}

function emptyFacts(source: string, hash: string): ScriptFacts {
  return {
    source,
    sha256: hash,
    layers: [],
    strings: [],
    regexes: [],
    calls: [],
    assigns: [],
    members: [],
    debuggerTraps: [],
    sizeChecks: [],
    sinks: [],
  }
}

/** Page verdict: script verdicts plus what the browser saw leave the page. */
export function judgePage(capture: PageCapture, verdicts: ScriptVerdict[]): PageVerdict {
  return judge(capture, verdicts)
}
