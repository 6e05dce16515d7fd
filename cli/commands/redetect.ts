// skimwatch redetect: judge every site's latest stored capture again with the current rules.
import { EXIT } from '../../core/types.ts'
import { detectStage, type StageDeps } from '../../pipeline/stages.ts'
import { BrowserUnavailableError } from '../../core/errors.ts'
import type { Store } from '../../store/index.ts'
import type { Context } from '../context.ts'
import { createDetonator, storeObservations } from '../detonation.ts'
import { printJson, progressLine } from '../output.ts'
import { progressBar } from '../progress-bar.ts'

export async function redetectCommand(
  ctx: Context,
  opts: { json?: boolean; static?: boolean },
): Promise<number> {
  const store = await ctx.store()
  const detector = await ctx.detector()
  // stored observations are reused: only scripts never detonated under these rules run again
  const detonator = opts.static
    ? undefined
    : createDetonator(storeObservations(store), ctx.config.chromiumPath)
  const deps: StageDeps = {
    store,
    config: ctx.config,
    logger: ctx.logger,
    crawl: { allowPrivate: false, resolve: [], timeoutMs: ctx.config.pageTimeoutMs },
    detector,
    browser: () => Promise.reject(new BrowserUnavailableError('redetect never opens a browser')),
    ...(detonator
      ? { detonate: (source, v, where) => detonator.judge(source, v, detector, where) }
      : {}),
  }
  try {
    return await judgeAll(store, deps, opts)
  } finally {
    await detonator?.close()
  }
}

async function judgeAll(store: Store, deps: StageDeps, opts: { json?: boolean }): Promise<number> {
  const ids = await store.latestScanIds()
  let flagged = false
  const bar = progressBar('redetect', ids.length)
  for (const [i, scanId] of ids.entries()) {
    const { verdict } = await detectStage(deps, { scanId })
    flagged ||= verdict !== 'clean'
    if (opts.json) printJson({ scanId, verdict })
    else if (!bar.active) progressLine(i + 1, ids.length, `scan ${scanId}: ${verdict}`)
    else if (verdict !== 'clean') bar.log(`scan ${scanId}: ${verdict}`)
    bar.update(i + 1, `scan ${scanId}`)
  }
  bar.finish()
  return flagged ? EXIT.flagged : EXIT.clean
}
