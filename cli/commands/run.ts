// skimwatch run: push every seeded site through crawl → detect → notify, embedded or on BullMQ.
import type { BrowserSession } from '../../crawler/index.ts'
import { launchBrowser } from '../../crawler/index.ts'
import { EXIT } from '../../core/types.ts'
import { backendConfig, openBackend } from '../../pipeline/backend.ts'
import { runEmbedded } from '../../pipeline/embedded.ts'
import { createMetrics, serveMetrics } from '../../pipeline/metrics.ts'
import { exclusionsReader } from '../../pipeline/exclusions.ts'
import { sizeConcurrency } from '../../pipeline/politeness.ts'
import type { ProgressListener, SiteOutcome } from '../../pipeline/progress.ts'
import { enqueueCrawls, openQueues, startWorkers, type StageQueues } from '../../pipeline/queues.ts'
import { installDefaultSchedules } from '../../pipeline/schedules.ts'
import type { StageDeps } from '../../pipeline/stages.ts'
import { createDetonator, storeObservations } from '../detonation.ts'
import type { Context } from '../context.ts'
import { progressLine } from '../output.ts'
import { progressBar } from '../progress-bar.ts'
import { crawlOptions } from './scan.ts'

export interface RunFlags {
  once?: boolean
  resolve: string[]
  allowPrivate?: boolean
  quiet?: boolean
  /** judge scripts statically: never detonate */
  static?: boolean
  /** serve Prometheus metrics on this port (0: any free port) */
  metricsPort?: number
  /** where the metrics listen; loopback by default */
  metricsHost?: string
  /** only work the queues: add no crawl jobs for the seeded sites */
  noEnqueue?: boolean
}

export async function runCommand(ctx: Context, flags: RunFlags): Promise<number> {
  const started = Date.now()
  const outcomes = await runPipeline(ctx, flags)
  if (flags.once && !flags.quiet)
    process.stderr.write(`${summary(outcomes, Date.now() - started)}\n`)
  if (outcomes.some((o) => o.error !== null)) return EXIT.error
  return outcomes.some((o) => o.verdict !== 'clean') ? EXIT.flagged : EXIT.clean
}

export function summary(outcomes: SiteOutcome[], ms: number): string {
  const count = (f: (o: SiteOutcome) => boolean): number => outcomes.filter(f).length
  return [
    `done: ${outcomes.length} site(s) in ${(ms / 1000).toFixed(1)} s`,
    `${count((o) => o.verdict === 'clean')} clean`,
    `${count((o) => o.verdict === 'suspicious')} suspicious`,
    `${count((o) => o.verdict === 'malicious')} malicious`,
    `${count((o) => o.emailPath !== null)} notified`,
    `${count((o) => o.error !== null)} error(s)`,
  ].join(', ')
}

/** Runs every known site through the pipeline; returns one outcome per site this process finished. */
export async function runPipeline(ctx: Context, flags: RunFlags): Promise<SiteOutcome[]> {
  const store = await ctx.store()
  const sites = await store.listSites()
  const names = new Map(sites.map((s) => [s.id, s.domain]))
  let browser: Promise<BrowserSession> | undefined
  const crawl = crawlOptions(ctx, flags)
  const detector = await ctx.detector()
  const detonator = flags.static
    ? undefined
    : createDetonator(storeObservations(store), ctx.config.chromiumPath)
  const deps: StageDeps = {
    store,
    config: ctx.config,
    logger: ctx.logger,
    crawl,
    detector,
    browser: () => (browser ??= launchBrowser(crawl)),
    ...(detonator
      ? { detonate: (source, v, where) => detonator.judge(source, v, detector, where) }
      : {}),
    exclusions: exclusionsReader(ctx.config.exclusionsFile),
  }
  // on a terminal a bar, with the sites worth a look printed above it; else one line per site
  const bar = progressBar('run', sites.length, flags.quiet ? { write: () => true } : process.stderr)
  const onProgress: ProgressListener = (o, done, total) => {
    if (flags.quiet) return
    const what = o.error
      ? `error: ${o.error}`
      : `${o.verdict}${o.emailPath ? ` → ${o.emailPath}` : ''}`
    const line = `${names.get(o.siteId) ?? o.siteId} ${what}`
    if (!bar.active) progressLine(done, total, line)
    else {
      if (o.error || o.verdict !== 'clean') bar.log(line)
      bar.update(done, names.get(o.siteId) ?? '')
    }
  }
  const concurrency = sizeConcurrency(ctx.config.concurrency)
  let queues: StageQueues | null = null
  const metrics = createMetrics(() => queues)
  const served =
    flags.metricsPort !== undefined
      ? await serveMetrics(metrics, flags.metricsHost ?? '127.0.0.1', flags.metricsPort)
      : undefined
  if (served)
    process.stderr.write(
      `metrics: http://${flags.metricsHost ?? '127.0.0.1'}:${served.port}/metrics\n`,
    )
  try {
    const ids = sites.map((s) => s.id)
    const cfg = backendConfig(ctx.config)
    if (!cfg)
      return await runEmbedded(deps, ids, {
        concurrency,
        onProgress,
        hostDelayMs: ctx.config.hostDelayMs,
      })
    const backend = await openBackend(cfg, ctx.logger)
    queues = openQueues(backend)
    if (!flags.noEnqueue) await enqueueCrawls(queues.crawl, store, ids)
    // long-running workers keep the shops rescanned; a draining run leaves schedules alone
    if (!flags.once) await installDefaultSchedules(queues.rescan)
    const run = startWorkers(
      deps,
      backend,
      queues,
      {
        backend: cfg,
        concurrency,
        once: flags.once ?? false,
        onProgress,
        hostDelayMs: ctx.config.hostDelayMs,
        metrics,
      },
      flags.noEnqueue ? 0 : ids.length,
    )
    const untilSignal = stopOnSignal(run.stop)
    try {
      return await run.outcomes
    } finally {
      untilSignal.dispose()
      await run.stop()
    }
  } finally {
    bar.finish()
    await served?.close()
    await detonator?.close()
    if (browser) await (await browser).close()
  }
}

/** SIGINT/SIGTERM stop the workers cleanly: active jobs finish, nothing is left locked. */
function stopOnSignal(stop: () => Promise<void>): { dispose(): void } {
  const handler = (): void => {
    process.stderr.write('stopping workers: letting active jobs finish…\n')
    void stop()
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
  return {
    dispose: () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
