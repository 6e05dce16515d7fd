// The page record of the CLI contract, built from a raw capture and its verdicts.
import type {
  CapturedRequest,
  PageCapture,
  PageVerdict,
  ScriptVerdict,
  Verdict,
  WalkRecord,
} from '../core/types.ts'
import { withoutScreenshots } from '../core/types.ts'
import { ANALYSIS_ERROR, withUnjudged } from '../detector/index.ts'

export interface FindingRecord {
  rule: string
  severity: string
  message: string
  line: number
  column: number
}

export interface ScriptRecord {
  url: string | null
  sha256: string
  verdict: Verdict
  findings: FindingRecord[]
}

export interface ExfilRecord {
  url: string
  method: string
  type: string
  carriesCard: boolean
  script: string | null
}

export interface PageRecord {
  url: string
  finalUrl: string
  status: string
  reason: string | null
  verdict: Verdict
  reasons: string[]
  scripts: ScriptRecord[]
  exfil: ExfilRecord[]
  /** how the crawler walked the shop; screenshots stay in the store */
  walk?: WalkRecord
}

/** Requests that carried test values off-site, or were sent off-site by a script that read a card field. */
export function selectExfil(capture: PageCapture): CapturedRequest[] {
  const readers = new Set(capture.cardReaders)
  return capture.requests.filter(
    (r) =>
      r.thirdParty &&
      (r.carriesCard || r.carriesPersonal || (r.script !== null && readers.has(r.script))),
  )
}

const NO_VERDICT: FindingRecord = {
  rule: ANALYSIS_ERROR,
  severity: 'low',
  message: 'no verdict was recorded for this script',
  line: 1,
  column: 0,
}

export function toFindingRecord(f: FindingRecord): FindingRecord {
  return { rule: f.rule, severity: f.severity, message: f.message, line: f.line, column: f.column }
}

export function toPageRecord(
  capture: PageCapture,
  page: PageVerdict,
  verdicts: ScriptVerdict[],
): PageRecord {
  const bySha = new Map(verdicts.map((v) => [v.sha256, v]))
  const scripts = capture.scripts.map((s): ScriptRecord => {
    const v = bySha.get(s.sha256)
    // a script without a verdict stays listed, and is not called clean
    if (!v) return { url: s.url, sha256: s.sha256, verdict: 'suspicious', findings: [NO_VERDICT] }
    return {
      url: s.url,
      sha256: s.sha256,
      verdict: v.verdict,
      findings: v.findings.map(toFindingRecord),
    }
  })
  const judged = withUnjudged(capture, verdicts, page)
  const exfil = selectExfil(capture).map((r): ExfilRecord => ({
    url: r.url,
    method: r.method,
    type: r.type,
    carriesCard: r.carriesCard,
    script: r.script,
  }))
  return {
    url: capture.url,
    finalUrl: capture.finalUrl,
    status: capture.status,
    reason: capture.reason,
    verdict: judged.verdict,
    reasons: judged.reasons,
    scripts,
    exfil,
    ...(capture.walk ? { walk: withoutScreenshots(capture.walk) } : {}),
  }
}

const rank: Record<Verdict, number> = { clean: 0, suspicious: 1, malicious: 2 }

export function worstVerdict(verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((a, b) => (rank[b] > rank[a] ? b : a), 'clean')
}
