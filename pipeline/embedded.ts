// The in-process runner: the same stages as the queues, with a bounded pool instead of workers.
import { memoryLimiter, politeVisit, type HostLimiter } from './politeness.ts'
import { crawlStage, detectStage, followUpStage, notifyStage, type StageDeps } from './stages.ts'
import { detectOutcome, type ProgressListener, type SiteOutcome } from './progress.ts'

export async function runEmbedded(
  deps: StageDeps,
  siteIds: number[],
  opts: { concurrency: number; onProgress?: ProgressListener; hostDelayMs?: number },
): Promise<SiteOutcome[]> {
  const hostDelayMs = opts.hostDelayMs ?? 0
  const limiter = memoryLimiter({ hostDelayMs, slotTtlMs: deps.config.pageTimeoutMs * 3 })
  const polite = { limiter, hostDelayMs }
  const outcomes: SiteOutcome[] = []
  const queue = [...siteIds]
  const worker = async (): Promise<void> => {
    for (let siteId = queue.shift(); siteId !== undefined; siteId = queue.shift()) {
      const outcome = await processSite(deps, siteId, polite)
      outcomes.push(outcome)
      opts.onProgress?.(outcome, outcomes.length, siteIds.length)
    }
  }
  const width = Math.max(1, Math.min(opts.concurrency, siteIds.length))
  await Promise.all(Array.from({ length: width }, worker))
  return outcomes
}

async function processSite(
  deps: StageDeps,
  siteId: number,
  polite: { limiter: HostLimiter; hostDelayMs: number },
): Promise<SiteOutcome> {
  const outcome: SiteOutcome = { siteId, scanId: null, verdict: null, emailPath: null, error: null }
  // one process: a visit simply waits its host's turn
  const around = politeVisit(polite.limiter, deps.crawl.resolve, {
    hostDelayMs: polite.hostDelayMs,
    maxWaitMs: Number.POSITIVE_INFINITY,
  })
  try {
    const { scanId } = await crawlStage(deps, { siteId }, { around })
    outcome.scanId = scanId
    const detected = await detectStage(deps, { scanId })
    Object.assign(outcome, detectOutcome(siteId, detected))
    if (detected.verdict === 'malicious') {
      outcome.emailPath = (await notifyStage(deps, { scanId })).path
    } else {
      outcome.emailPath = (await followUpStage(deps, detected)).path
    }
  } catch (err) {
    outcome.error = err instanceof Error ? err.message : String(err)
    deps.logger.error({ siteId, err: outcome.error }, 'site failed')
  }
  return outcome
}
