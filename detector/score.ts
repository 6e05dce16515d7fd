import type { Finding, Verdict } from '../core/types.ts'
import type { Evidence, Rule } from './rules/types.ts'

export const MALICIOUS_AT = 70
export const SUSPICIOUS_AT = 30

/** Turn one rule's evidence into findings: the rule's points at most, carried by the evidence. */
export function toFindings(rule: Rule, evidence: Evidence[]): Finding[] {
  let left = rule.points
  return evidence.map((e, i) => {
    const wanted = e.points ?? (i === 0 ? rule.points : 0)
    const points = Math.max(0, Math.min(wanted, left))
    left -= points
    const where = e.site.layer > 0 ? ' (in decoded layer)' : ''
    return {
      rule: rule.id,
      severity: e.severity ?? rule.severity,
      message: `${e.message}${where}`,
      line: e.site.line,
      column: e.site.column,
      snippet: e.site.snippet,
      points,
    }
  })
}

export function scoreOf(findings: Finding[]): number {
  return Math.min(
    100,
    findings.reduce((sum, f) => sum + f.points, 0),
  )
}

export function verdictOf(score: number): Verdict {
  return score >= MALICIOUS_AT ? 'malicious' : score >= SUSPICIOUS_AT ? 'suspicious' : 'clean'
}

/** Rules that only sharpen other evidence: on their own they describe plenty of honest scripts. */
export const MODIFIERS = new Set([
  'checkout-url-gating',
  'once-only-staging',
  'anti-analysis',
  'exfil-sink-serialised-data',
])
export const MODIFIERS_ALONE_MAX = 25

/** When only modifiers scored, trim their points (last first) so they stay below suspicious. */
export function capModifiers(findings: Finding[]): Finding[] {
  if (findings.some((f) => f.points > 0 && !MODIFIERS.has(f.rule))) return findings
  let left = MODIFIERS_ALONE_MAX
  return findings.map((f) => {
    const points = Math.min(f.points, left)
    left -= points
    return points === f.points
      ? f
      : { ...f, points, message: `${f.message} (capped: no stronger evidence)` }
  })
}
