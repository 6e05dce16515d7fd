// Analysts' decisions over the detector's verdicts: pure, so the review app and the detect
// stage apply them alike. The stored script verdicts are never rewritten; a decision speaks
// for the page judged from them.
import type { Finding, PageCapture, ScriptVerdict } from '../core/types.ts'
import { applyAllowlist, hostMatches, type AllowEntry } from './allowlist.ts'
import { hostOf } from './paths.ts'

/** An analyst's decision as the detector needs it (the store's decision records fit). */
export interface AnalystDecision {
  kind: 'confirm' | 'false-positive' | 'allowlist'
  sha256: string | null
  host: string | null
  reason: string
  /** YYYY-MM-DD, the last day it holds; null for no expiry */
  expires: string | null
  createdBy: string
  createdAt: string
}

const FOREVER = '9999-12-31'

/** The decision that speaks for this script on this page, if any (newest first). */
export function decisionFor(
  v: ScriptVerdict,
  capture: Pick<PageCapture, 'scripts'>,
  decisions: readonly AnalystDecision[],
): AnalystDecision | undefined {
  const hosts = capture.scripts
    .filter((s) => s.sha256 === v.sha256 && s.url)
    .flatMap((s) => hostOf(s.url ?? '') ?? [])
  return decisions.find(
    (d) =>
      d.sha256 === v.sha256 ||
      (d.sha256 === null && d.host !== null && hosts.some((h) => hostMatches(d.host ?? '', h))),
  )
}

/** A script verdict as the analysts' decisions make it; the stored verdict stays as it was. */
export function overlay(v: ScriptVerdict, d: AnalystDecision | undefined): ScriptVerdict {
  if (!d) return v
  const by = `${d.kind} by ${d.createdBy} on ${d.createdAt.slice(0, 10)}: ${d.reason}`
  if (d.kind === 'confirm') {
    if (v.verdict === 'malicious') return v
    const note: Finding = {
      rule: 'analyst-confirmed',
      severity: 'high',
      message: `confirmed malicious (${by})`,
      line: 1,
      column: 0,
      points: 0,
    }
    return { ...v, verdict: 'malicious', findings: [note, ...v.findings] }
  }
  const entry: AllowEntry = { reason: by, expires: d.expires ?? FOREVER }
  if (d.sha256 !== null) entry.sha256 = d.sha256
  else if (d.host !== null) entry.host = d.host
  return applyAllowlist(v, entry)
}
