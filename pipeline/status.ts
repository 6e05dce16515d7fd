// What the queues are doing: depths, recent throughput, failures by reason, time to drain.
import type { Logger } from '../core/logger.ts'
import { openBackend, type BackendConfig } from './backend.ts'
import { BOARD_PATH, queueBoard } from './board.ts'
import { createMetrics } from './metrics.ts'
import { openQueues, requestCrawl, type StageQueues, type Stage } from './queues.ts'
import {
  listSchedules,
  removeSchedule,
  scheduleTiming,
  selectorNames,
  setSchedule,
} from './schedules.ts'
import type { Store } from '../store/index.ts'

export interface QueueStatus {
  queues: Record<Stage, Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed', number>>
  /** crawl jobs finished per minute over the last `windowMinutes` */
  crawlsPerMinute: number
  windowMinutes: number
  failures: { reason: string; count: number }[]
  /** minutes until the crawl queue is empty at the recent rate; null when nothing moves */
  etaMinutes: number | null
}

const SAMPLE = 2_000

/** Failure reasons with their numbers, so "3 × ERR_NAME_NOT_RESOLVED" reads as one line. */
const reasonOf = (r: string | undefined): string =>
  (r ?? 'unknown').replace(/\d{2,}/g, 'N').slice(0, 160)

export async function queueStatus(queues: StageQueues, windowMinutes = 10): Promise<QueueStatus> {
  const out = {} as QueueStatus['queues']
  for (const [stage, q] of Object.entries(queues) as [Stage, StageQueues[Stage]][]) {
    const c = await q.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'completed',
      'failed',
      'prioritized',
    )
    out[stage] = {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    }
  }
  const since = Date.now() - windowMinutes * 60_000
  const recent = (await queues.crawl.getCompleted(0, SAMPLE - 1)).filter(
    (j) => (j.finishedOn ?? 0) >= since,
  )
  const crawlsPerMinute = recent.length / windowMinutes
  const byReason = new Map<string, number>()
  for (const stage of ['crawl', 'detect', 'notify'] as const) {
    for (const j of await queues[stage].getFailed(0, SAMPLE - 1)) {
      const r = `${stage}: ${reasonOf(j.failedReason)}`
      byReason.set(r, (byReason.get(r) ?? 0) + 1)
    }
  }
  const left = out.crawl.waiting + out.crawl.active + out.crawl.delayed
  return {
    queues: out,
    crawlsPerMinute,
    windowMinutes,
    failures: [...byReason]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count),
    etaMinutes: left === 0 ? 0 : crawlsPerMinute > 0 ? left / crawlsPerMinute : null,
  }
}

/**
 * What the review app may do with the queues: read their state and Prometheus text, queue a
 * site's crawl, edit the scheduled rescans. It never holds a Queue itself.
 */
export async function openOperations(
  cfg: BackendConfig,
  logger: Logger,
  store: Pick<Store, 'latestScanBySite'>,
) {
  const backend = await openBackend(cfg, logger)
  const queues = openQueues(backend)
  const metrics = createMetrics(() => queues)
  return {
    queues: async () => ({ backend: cfg.kind, ...(await queueStatus(queues)) }),
    metrics: async () => ({
      contentType: metrics.registry.contentType,
      body: await metrics.registry.metrics(),
    }),
    rescanSite: (siteId: number) => requestCrawl(queues.crawl, store, siteId),
    schedules: {
      selectors: selectorNames(),
      list: () => listSchedules(queues.rescan),
      set: (s: { name: string; select: string; every?: string; cron?: string }) =>
        setSchedule(queues.rescan, {
          name: s.name,
          select: s.select,
          ...scheduleTiming({ every: s.every, cron: s.cron }),
        }),
      remove: (name: string) => removeSchedule(queues.rescan, name),
    },
    board: { path: BOARD_PATH, plugin: queueBoard(queues) },
    close: () => backend.close(),
  }
}
