// Analysts' decisions applied at once: affected scans get their page verdict again, mails follow.
import type { Verdict } from '../core/types.ts'
import { decisionFor, overlay } from '../detector/decisions.ts'
import { judgePage } from '../detector/index.ts'
import type { DecisionRecord, Store } from '../store/index.ts'

export interface Rejudged {
  scanId: number
  siteId: number | null
  before: Verdict | null
  after: Verdict
  withdrawnMails: number
  restoredMails: number
}

/** Judge one scan's page again from its capture, stored script verdicts and the decisions. */
export async function rejudgeScan(
  store: Store,
  scanId: number,
  decisions: DecisionRecord[],
): Promise<Rejudged | null> {
  const capture = await store.getCapture(scanId)
  const result = await store.getScanResult(scanId)
  if (!capture || !result) return null
  const scripts = result.scripts.map((v) => overlay(v, decisionFor(v, capture, decisions)))
  const page = judgePage(capture, scripts)
  await store.review.setPageVerdict(scanId, page)
  let withdrawnMails = 0
  let restoredMails = 0
  if (capture.siteId !== null) {
    if (page.verdict === 'malicious')
      restoredMails = await store.review.restoreMails({ siteId: capture.siteId })
    else withdrawnMails = await store.review.withdrawMails({ siteId: capture.siteId })
  }
  return {
    scanId,
    siteId: capture.siteId,
    before: result.page.verdict,
    after: page.verdict,
    withdrawnMails,
    restoredMails,
  }
}

/** Re-judges the latest scan of every site that ran the script or a script from the host. */
export async function applyDecision(
  store: Store,
  target: { sha256: string | null; host: string | null },
): Promise<Rejudged[]> {
  const decisions = await store.review.activeDecisions()
  const scanIds = await store.review.latestScansServing({
    sha256s: target.sha256 ? [target.sha256] : [],
    hosts: target.host ? [target.host] : [],
  })
  const out: Rejudged[] = []
  for (const id of scanIds) {
    const r = await rejudgeScan(store, id, decisions)
    if (r) out.push(r)
  }
  return out
}

/** On start-up: decisions that expired since the last run stop counting. */
export async function rejudgeDecided(store: Store): Promise<Rejudged[]> {
  const all = await store.review.listDecisions()
  const sha256s = [...new Set(all.flatMap((d) => (d.sha256 ? [d.sha256] : [])))]
  const hosts = [...new Set(all.flatMap((d) => (d.host && !d.sha256 ? [d.host] : [])))]
  if (sha256s.length === 0 && hosts.length === 0) return []
  const decisions = await store.review.activeDecisions()
  const out: Rejudged[] = []
  for (const id of await store.review.latestScansServing({ sha256s, hosts })) {
    const r = await rejudgeScan(store, id, decisions)
    if (r) out.push(r)
  }
  return out
}
