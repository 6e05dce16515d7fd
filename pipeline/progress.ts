// What a runner reports as each site finishes the pipeline.
import type { Verdict } from '../core/types.ts'

export interface SiteOutcome {
  siteId: number
  scanId: number | null
  verdict: Verdict | null
  emailPath: string | null
  error: string | null
}

/** A clean verdict from a visit that did not complete is no verdict: the shop was not seen. */
export function detectOutcome(
  siteId: number,
  result: { scanId: number; verdict: Verdict; incomplete: string | null },
): SiteOutcome {
  const unseen = result.verdict === 'clean' && result.incomplete !== null
  return {
    siteId,
    scanId: result.scanId,
    verdict: unseen ? null : result.verdict,
    emailPath: null,
    error: unseen ? `visit did not complete: ${result.incomplete}` : null,
  }
}

export type ProgressListener = (outcome: SiteOutcome, done: number, total: number) => void
