// The distributed runner: one BullMQ queue per stage on Redis, workers that wrap the stage functions.
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq'
import { Redis } from 'ioredis'
import { ServiceUnavailableError, SkimwatchError } from '../core/errors.ts'
import {
  crawlStage,
  detectStage,
  notifyStage,
  followUpStage,
  type DetectResult,
  type NotifyResult,
  type StageDeps,
} from './stages.ts'
import { detectOutcome, type ProgressListener, type SiteOutcome } from './progress.ts'

export interface QueueRunOptions {
  redisUrl: string
  prefix: string
  concurrency: number
  /** drain the queues, then return; otherwise run until stop() */
  once: boolean
  onProgress?: ProgressListener
  /** shorter in tests: how often stalled jobs are looked for */
  stalledIntervalMs?: number
}

interface SiteJobData {
  siteId: number
  scanId?: number
}

const STAGES = ['crawl', 'detect', 'notify'] as const
type Stage = (typeof STAGES)[number]

const jobDefaults: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 5_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
}

export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    connectTimeout: 5_000,
    retryStrategy: (times) => (times > 3 ? null : 200 * times),
  })
  // connection errors surface through connect() below; without a listener ioredis also prints them
  const swallow = (): void => undefined
  redis.on('error', swallow)
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    const where = new URL(url).host
    throw new ServiceUnavailableError(
      `cannot reach Redis at ${where} (${(err as Error).message}) — start it or unset REDIS_URL to run embedded`,
    )
  }
  redis.off('error', swallow)
  return redis
}

export interface QueueRun {
  outcomes: Promise<SiteOutcome[]>
  stop(): Promise<void>
}

/** Enqueues the sites' crawl jobs, starts workers for every stage, and reports each site's outcome. */
export async function runQueued(
  deps: StageDeps,
  siteIds: number[],
  opts: QueueRunOptions,
): Promise<QueueRun> {
  const connection = await connectRedis(opts.redisUrl)
  connection.on('error', (err: Error) =>
    deps.logger.warn({ err: err.message }, 'redis connection error'),
  )
  const base = { connection, prefix: opts.prefix }
  const queues = Object.fromEntries(
    STAGES.map((s) => [s, new Queue(s, { ...base, defaultJobOptions: jobDefaults })]),
  ) as Record<Stage, Queue>

  const processors: Record<Stage, (job: Job<SiteJobData>) => Promise<unknown>> = {
    crawl: async (job) => {
      const { scanId } = await crawlStage(deps, { siteId: job.data.siteId })
      // ids derive from the parent job: scan ids restart with a new store, BullMQ ids do not
      await queues.detect.add(
        'detect',
        { siteId: job.data.siteId, scanId },
        { jobId: `detect-${job.id}` },
      )
      return { scanId }
    },
    detect: async (job) => {
      const scanId = requireScanId(job)
      const result = await detectStage(deps, { scanId })
      if (result.verdict === 'malicious') {
        await queues.notify.add('notify', job.data, { jobId: `notify-${job.id}` })
      } else {
        await followUpStage(deps, result)
      }
      return result
    },
    notify: async (job) => notifyStage(deps, { scanId: requireScanId(job) }),
  }

  const outcomes: SiteOutcome[] = []
  let finish: (o: SiteOutcome[]) => void = () => undefined
  const done = new Promise<SiteOutcome[]>((resolve) => (finish = resolve))
  const report = (o: SiteOutcome): void => {
    outcomes.push(o)
    opts.onProgress?.(o, outcomes.length, Math.max(outcomes.length, siteIds.length))
  }

  const workers = STAGES.map(
    (stage) =>
      new Worker<SiteJobData>(stage, unrecoverableOnPermanent(processors[stage]), {
        ...base,
        concurrency: stage === 'crawl' ? opts.concurrency : opts.concurrency * 4,
        lockDuration: Math.max(60_000, deps.config.pageTimeoutMs * 3),
        stalledInterval: opts.stalledIntervalMs ?? 30_000,
      }),
  )
  const checkIdle = async (): Promise<void> => {
    if (!opts.once) return
    for (const q of Object.values(queues)) {
      const counts = await q.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
      )
      if (Object.values(counts).some((n) => n > 0)) return
    }
    finish(outcomes)
  }
  const onIdleCheck = (): void =>
    void checkIdle().catch((err: unknown) => deps.logger.error({ err }, 'idle check failed'))

  workers.forEach((worker, i) => {
    const stage = STAGES[i] as Stage
    worker.on('completed', (job, result) => {
      if (stage === 'detect') {
        const r = result as DetectResult
        if (r.verdict !== 'malicious') report(detectOutcome(job.data.siteId, r))
      } else if (stage === 'notify') {
        const r = result as NotifyResult
        report({
          siteId: job.data.siteId,
          scanId: r.scanId,
          verdict: 'malicious',
          emailPath: r.path,
          error: null,
        })
      }
      onIdleCheck()
    })
    worker.on('failed', (job, err) => {
      const final =
        !job ||
        job.attemptsMade >= (job.opts.attempts ?? 1) ||
        err instanceof UnrecoverableError ||
        err.name === 'UnrecoverableError'
      if (job && final) {
        report({
          siteId: job.data.siteId,
          scanId: job.data.scanId ?? null,
          verdict: null,
          emailPath: null,
          error: err.message,
        })
      }
      onIdleCheck()
    })
    worker.on('error', (err) => deps.logger.error({ err: err.message, stage }, 'worker error'))
  })

  for (const siteId of siteIds) {
    await queues.crawl.add('crawl', { siteId }, { deduplication: { id: `site-${siteId}` } })
  }
  onIdleCheck()

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(workers.map((w) => w.close()))
      await Promise.all(Object.values(queues).map((q) => q.close()))
      connection.disconnect()
      finish(outcomes)
    })())
  return { outcomes: done, stop }
}

function requireScanId(job: Job<SiteJobData>): number {
  if (job.data.scanId === undefined) throw new UnrecoverableError(`job ${job.id} has no scanId`)
  return job.data.scanId
}

/** A job that can never succeed is failed at once instead of retried. */
function unrecoverableOnPermanent<T>(fn: (job: Job<SiteJobData>) => Promise<T>) {
  return async (job: Job<SiteJobData>): Promise<T> => {
    try {
      return await fn(job)
    } catch (err) {
      if (err instanceof SkimwatchError && err.permanent) throw new UnrecoverableError(err.message)
      throw err
    }
  }
}
