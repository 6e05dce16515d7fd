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
