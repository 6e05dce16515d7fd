// The distributed runner: one BullMQ queue per stage (crawl, detect, notify, rescan), workers that
// wrap the stage functions. Jobs carry ids only; a job's id is derived from (stage, site, scan).
import { DelayedError, UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq'
import { SkimwatchError } from '../core/errors.ts'
import type { Store } from '../store/index.ts'
import { openBackend, type BackendConfig, type QueueBackend } from './backend.ts'
import type { PipelineMetrics } from './metrics.ts'
import {
  HostBusy,
  politeVisit,
  redisLimiter,
  storeLimiter,
  type HostLimiter,
} from './politeness.ts'
import { detectOutcome, type ProgressListener, type SiteOutcome } from './progress.ts'
import { selectSites } from './schedules.ts'
import {
  crawlStage,
  detectStage,
  notifyStage,
  followUpStage,
  type DetectResult,
  type NotifyResult,
  type StageDeps,
} from './stages.ts'

export { connectRedis } from './backend.ts'

export interface QueueRunOptions {
  backend: BackendConfig
  /** pages crawled at once by this process */
  concurrency: number
  /** drain the queues, then return; otherwise run until stop() */
  once: boolean
  onProgress?: ProgressListener
  /** shorter in tests: how often stalled jobs are looked for */
  stalledIntervalMs?: number
  /** shorter in tests: how long a job's lock lasts without renewal (a killed worker's job waits this long) */
  lockDurationMs?: number
  /** minimum pause between two visits to one host */
  hostDelayMs?: number
  /** base delay of the exponential backoff between attempts */
  backoffMs?: number
  metrics?: PipelineMetrics
}

export interface SiteJobData {
  siteId: number
  scanId?: number
  /** crawl jobs: the site's latest scan when the job was queued (the scan this crawl follows) */
  after?: number
}
export interface RescanJobData {
  /** which sites the scheduled rescan takes: a name known to selectSites */
  select: string
}

export const STAGES = ['crawl', 'detect', 'notify', 'rescan'] as const
export type Stage = (typeof STAGES)[number]
/** The stages in the order work flows through them (a rescan queues crawls). */
const FLOW: readonly Stage[] = ['rescan', 'crawl', 'detect', 'notify']

const jobDefaults = (backoffMs: number): JobsOptions => ({
  attempts: 3,
  backoff: { type: 'exponential', delay: backoffMs },
  removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
})

export type StageQueues = Record<Stage, Queue>

export function openQueues(backend: QueueBackend, backoffMs = 2_000): StageQueues {
  return Object.fromEntries(
    STAGES.map((s) => [s, backend.queue(s, { defaultJobOptions: jobDefaults(backoffMs) })]),
  ) as StageQueues
}

/** A crawl's id names the scan it follows: re-adding a site before that crawl is done is a no-op. */
export const crawlJobId = (siteId: number, lastScanId: number): string =>
  `crawl-${siteId}-after-${lastScanId}`

const BULK = 1_000

/** Adds a crawl job per site (deduplicated by id); returns how many ids were offered. */
export async function enqueueCrawls(
  queue: Queue,
  store: Pick<Store, 'latestScanBySite'>,
  siteIds: number[],
  onChunk?: (done: number, total: number) => void,
): Promise<number> {
  for (let i = 0; i < siteIds.length; i += BULK) {
    const chunk = siteIds.slice(i, i + BULK)
    const last = await store.latestScanBySite(chunk)
    await queue.addBulk(
      chunk.map((siteId) => ({
        name: 'crawl',
        data: { siteId, after: last.get(siteId) ?? 0 },
        opts: { jobId: crawlJobId(siteId, last.get(siteId) ?? 0) },
      })),
    )
    onChunk?.(Math.min(i + BULK, siteIds.length), siteIds.length)
  }
  return siteIds.length
}

export interface CrawlRequest {
  siteId: number
  jobId: string
  /** queued now; already waiting (or delayed); or being crawled at this moment */
  state: 'queued' | 'already-queued' | 'running'
}

/**
 * An operator's rescan of one site: the same deduplicated crawl job a seed or a scheduled rescan
 * adds. A finished job under that id (a crawl that failed, say) is dropped first, so the site is
 * crawled again rather than the request silently merging into the old job.
 */
export async function requestCrawl(
  queue: Queue,
  store: Pick<Store, 'latestScanBySite'>,
  siteId: number,
): Promise<CrawlRequest> {
  const last = (await store.latestScanBySite([siteId])).get(siteId) ?? 0
  const jobId = crawlJobId(siteId, last)
  const existing = await queue.getJob(jobId)
  const state = existing ? await existing.getState() : 'unknown'
  if (state === 'active') return { siteId, jobId, state: 'running' }
  if (existing && state !== 'completed' && state !== 'failed' && state !== 'unknown')
    return { siteId, jobId, state: 'already-queued' }
  if (existing) await existing.remove()
  await enqueueCrawls(queue, store, [siteId])
  return { siteId, jobId, state: 'queued' }
}

export interface QueueRun {
  outcomes: Promise<SiteOutcome[]>
  stop(): Promise<void>
  queues: StageQueues
}

/** Enqueues the sites' crawl jobs, starts workers for every stage, and reports each site's outcome. */
export async function runQueued(
  deps: StageDeps,
  siteIds: number[],
  opts: QueueRunOptions,
): Promise<QueueRun> {
  const backend = await openBackend(opts.backend, deps.logger)
  const queues = openQueues(backend, opts.backoffMs)
  await enqueueCrawls(queues.crawl, deps.store, siteIds)
  return startWorkers(deps, backend, queues, opts, siteIds.length)
}

/** Starts workers for every stage on queues that are already filled (or filled by others). */
export function startWorkers(
  deps: StageDeps,
  backend: QueueBackend,
  queues: StageQueues,
  opts: QueueRunOptions,
  expected = 0,
): QueueRun {
  const hostDelayMs = opts.hostDelayMs ?? 0
  const lockDuration = opts.lockDurationMs ?? Math.max(60_000, deps.config.pageTimeoutMs * 3)
  const politeness = { hostDelayMs, slotTtlMs: lockDuration }
  // the limits live beside the queues, so every worker of the deployment shares them
  const limiter: HostLimiter = backend.redis
    ? redisLimiter(backend.redis, opts.backend.prefix, politeness)
    : storeLimiter(deps.store, politeness)
  const metrics = opts.metrics

  const processors: Record<Stage, (job: Job, token?: string) => Promise<unknown>> = {
    crawl: async (job, token) => {
      const data = job.data as SiteJobData
      const stored = await scanSince(deps.store, data)
      const { scanId } =
        stored ??
        (await crawlStage(
          deps,
          { siteId: data.siteId },
          {
            lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
            around: politeVisit(limiter, deps.crawl.resolve, {
              hostDelayMs,
              maxWaitMs: 30_000,
              observeSeconds: (s) => metrics?.visitSeconds.observe(s),
            }),
          },
        ).catch(async (err: unknown) => {
          if (!(err instanceof HostBusy)) throw err
          // the host is taken for a while: hand the job back without spending an attempt
          await job.moveToDelayed(Date.now() + err.retryInMs, token)
          throw new DelayedError()
        }))
      await queues.detect.add(
        'detect',
        { siteId: data.siteId, scanId },
        { jobId: `detect-${scanId}` },
      )
      return { scanId }
    },
    detect: async (job) => {
      const data = job.data as SiteJobData
      const scanId = requireScanId(job)
      const result = await detectStage(deps, { scanId })
      metrics?.verdicts.inc({ verdict: result.verdict })
      if (result.verdict === 'malicious') {
        await queues.notify.add('notify', data, { jobId: `notify-${scanId}` })
      } else {
        await followUpStage(deps, result)
      }
      return result
    },
    notify: async (job) => notifyStage(deps, { scanId: requireScanId(job) }),
    rescan: async (job) => {
      const { select } = job.data as RescanJobData
      const selected = await selectSites(deps.store, select, deps.config)
      // A site visited since this rescan was asked for has had it (two schedules firing together).
      // The last scans are read before that check: a crawl finishing between the two reads is
      // then either seen as a visit, or its job id (named by the scan it followed) is reused and
      // the add is a no-op. Read after the check, a crawl finishing in between gives a new id.
      const last = await deps.store.latestScanBySite(selected)
      const visited = await deps.store.scannedSince(selected, new Date(job.timestamp))
      const ids = selected.filter((id) => !visited.has(id))
      await enqueueCrawls(queues.crawl, { latestScanBySite: () => Promise.resolve(last) }, ids)
      deps.logger.info({ select, sites: ids.length }, 'rescan queued')
      return { queued: ids.length }
    },
  }

  const outcomes: SiteOutcome[] = []
  let finish: (o: SiteOutcome[]) => void = () => undefined
  const done = new Promise<SiteOutcome[]>((resolve) => (finish = resolve))
  const report = (o: SiteOutcome): void => {
    outcomes.push(o)
    opts.onProgress?.(o, outcomes.length, Math.max(outcomes.length, expected))
  }

  const workers = STAGES.map((stage) =>
    backend.worker(stage, unrecoverableOnPermanent(stage, deps.store, processors[stage]), {
      concurrency: stage === 'crawl' ? opts.concurrency : opts.concurrency * 4,
      lockDuration,
      stalledInterval: opts.stalledIntervalMs ?? 30_000,
    }),
  )
  const checkIdle = async (): Promise<void> => {
    if (!opts.once) return
    // upstream first: a job that moves on while this looks is seen again further down
    for (const stage of FLOW) {
      // a scheduled rescan waits as a delayed job for ever: only its due jobs count
      const states =
        stage === 'rescan'
          ? (['waiting', 'active'] as const)
          : (['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const)
      const counts = await queues[stage].getJobCounts(...states)
      if (Object.values(counts).some((n) => n > 0)) return
    }
    finish(outcomes)
  }
  const onIdleCheck = (): void =>
    void checkIdle().catch((err: unknown) =>
      deps.logger.warn({ err: (err as Error).message }, 'idle check failed'),
    )

  workers.forEach((worker, i) => {
    const stage = STAGES[i] as Stage
    worker.on('completed', (job, result) => {
      metrics?.processed.inc({ queue: stage, result: 'completed' })
      const data = job.data as SiteJobData
      if (stage === 'detect') {
        const r = result as DetectResult
        if (r.verdict !== 'malicious') report(detectOutcome(data.siteId, r))
      } else if (stage === 'notify') {
        const r = result as NotifyResult
        report({
          siteId: data.siteId,
          scanId: r.scanId,
          verdict: 'malicious',
          emailPath: r.path,
          error: null,
        })
      }
      onIdleCheck()
    })
    worker.on('failed', (job, err) => {
      if (err.name === 'DelayedError') return
      const final =
        !job || job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError'
      metrics?.processed.inc({ queue: stage, result: final ? 'failed' : 'retried' })
      deps.logger[final ? 'error' : 'warn'](
        { stage, job: job?.id, attempt: job?.attemptsMade, err: err.message },
        final ? 'job failed for good' : 'job failed, will retry with backoff',
      )
      if (job && final && stage !== 'rescan') {
        const data = job.data as SiteJobData
        report({
          siteId: data.siteId,
          scanId: data.scanId ?? null,
          verdict: null,
          emailPath: null,
          error: err.message,
        })
      }
      onIdleCheck()
    })
    worker.on('error', (err) => deps.logger.warn({ err: err.message, stage }, 'worker error'))
  })
  deps.logger.info(
    { backend: backend.kind, concurrency: opts.concurrency, once: opts.once },
    'workers started',
  )
  // polling backs up the events: a job that stalled in a killed worker ends in another process
  const poll = opts.once ? setInterval(onIdleCheck, 1_000) : undefined
  onIdleCheck()

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(poll)
      // close() lets active jobs finish; their locks are released, nothing is left active
      await Promise.all(workers.map((w) => w.close()))
      await backend.close()
      finish(outcomes)
    })())
  return { outcomes: done, stop, queues }
}

/** The scan an earlier run of this very job stored before it died: the crawl is not repeated. */
async function scanSince(store: Store, data: SiteJobData): Promise<{ scanId: number } | null> {
  if (data.after === undefined) return null
  const last = (await store.latestScanBySite([data.siteId])).get(data.siteId) ?? 0
  return last > data.after ? { scanId: last } : null
}

function requireScanId(job: Job): number {
  const { scanId } = job.data as SiteJobData
  if (scanId === undefined) throw new UnrecoverableError(`job ${job.id} has no scanId`)
  return scanId
}

/** A job that can never succeed fails at once instead of being retried; the site keeps the reason. */
function unrecoverableOnPermanent<T>(
  stage: Stage,
  store: Pick<Store, 'setSiteFailure'>,
  fn: (job: Job, token?: string) => Promise<T>,
) {
  return async (job: Job, token?: string): Promise<T> => {
    try {
      return await fn(job, token)
    } catch (err) {
      const permanent =
        (err instanceof SkimwatchError && err.permanent) || err instanceof UnrecoverableError
      if (!permanent) throw err
      const reason = (err as Error).message
      const { siteId } = job.data as Partial<SiteJobData>
      if (stage === 'crawl' && siteId !== undefined) await store.setSiteFailure(siteId, reason)
      throw err instanceof UnrecoverableError ? err : new UnrecoverableError(reason)
    }
  }
}
