// What a runner reports as each site finishes the pipeline.
import type { Verdict } from '../core/types.ts'

export interface SiteOutcome {
  siteId: number
  scanId: number | null
  verdict: Verdict | null
  emailPath: string | null
  error: string | null
}

export type ProgressListener = (outcome: SiteOutcome, done: number, total: number) => void
