// skimwatch run: push every seeded site through crawl → detect → notify, embedded or on BullMQ.
import type { BrowserSession } from '../../crawler/index.ts'
import { launchBrowser } from '../../crawler/index.ts'
import { EXIT } from '../../core/types.ts'
import { runEmbedded } from '../../pipeline/embedded.ts'
import type { ProgressListener, SiteOutcome } from '../../pipeline/progress.ts'
import { runQueued } from '../../pipeline/queues.ts'
import type { StageDeps } from '../../pipeline/stages.ts'
import { createDetonator, storeObservations } from '../detonation.ts'
import type { Context } from '../context.ts'
import { progressLine } from '../output.ts'
import { crawlOptions } from './scan.ts'

export interface RunFlags {
  once?: boolean
  resolve: string[]
  allowPrivate?: boolean
  quiet?: boolean
  /** judge scripts statically: never detonate */
  static?: boolean
}

export async function runCommand(ctx: Context, flags: RunFlags): Promise<number> {
  const outcomes = await runPipeline(ctx, flags)
  if (outcomes.some((o) => o.error !== null)) return EXIT.error
  return outcomes.some((o) => o.verdict !== 'clean') ? EXIT.flagged : EXIT.clean
}

/** Runs every known site through the pipeline; returns one outcome per site. */
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
    ...(detonator ? { detonate: (source, v) => detonator.judge(source, v, detector) } : {}),
  }
  const onProgress: ProgressListener = (o, done, total) => {
    if (flags.quiet) return
    const what = o.error
      ? `error: ${o.error}`
      : `${o.verdict}${o.emailPath ? ` → ${o.emailPath}` : ''}`
    progressLine(done, total, `${names.get(o.siteId) ?? o.siteId} ${what}`)
  }
  try {
    const ids = sites.map((s) => s.id)
    const { redisUrl } = ctx.config
    if (!redisUrl)
      return await runEmbedded(deps, ids, { concurrency: ctx.config.concurrency, onProgress })
    const run = await runQueued(deps, ids, {
      redisUrl,
      prefix: ctx.config.queuePrefix,
      concurrency: ctx.config.concurrency,
      once: flags.once ?? false,
      onProgress,
    })
    if (!flags.once) await stopOnSignal(run.stop)
    try {
      return await run.outcomes
    } finally {
      await run.stop()
    }
  } finally {
    await detonator?.close()
    if (browser) await (await browser).close()
  }
}

/** Long-running workers stop cleanly on SIGINT/SIGTERM, letting active jobs finish. */
function stopOnSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const handler = (): void => {
      process.stderr.write('stopping workers…\n')
      void stop().then(resolve)
    }
    process.once('SIGINT', handler)
    process.once('SIGTERM', handler)
  })
}
