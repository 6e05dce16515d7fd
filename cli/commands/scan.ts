// skimwatch scan <url…>: visit pages in the browser now and judge what they ran and sent.
import { EXIT, type ScriptVerdict } from '../../core/types.ts'
import {
  assertTargetAllowed,
  launchBrowser,
  parseResolveRule,
  type CrawlOptions,
} from '../../crawler/index.ts'
import { judgePage } from '../../detector/index.ts'
import { toPageRecord, type PageRecord } from '../../pipeline/page-record.ts'
import { judgeScripts } from '../../pipeline/stages.ts'
import { createDetonator, fileObservations, type Where } from '../detonation.ts'
import type { Context } from '../context.ts'
import { printJson, printTable } from '../output.ts'

export interface ScanFlags {
  resolve: string[]
  allowPrivate?: boolean
  json?: boolean
  /** judge scripts statically: never detonate */
  static?: boolean
}

export function crawlOptions(
  ctx: Context,
  flags: { resolve: string[]; allowPrivate?: boolean },
): CrawlOptions {
  return {
    allowPrivate: flags.allowPrivate ?? false,
    resolve: flags.resolve.map(parseResolveRule),
    timeoutMs: ctx.config.pageTimeoutMs,
    chromiumPath: ctx.config.chromiumPath,
    fillRounds: ctx.config.fillRounds,
    pageTimeMs: ctx.config.pageTimeMs,
  }
}

export async function scanCommand(ctx: Context, urls: string[], flags: ScanFlags): Promise<number> {
  const opts = crawlOptions(ctx, flags)
  for (const url of urls) await assertTargetAllowed(url, opts)
  const detector = await ctx.detector()
  const detonator = flags.static
    ? undefined
    : createDetonator(fileObservations(ctx.config.home), ctx.config.chromiumPath)
  const judge = {
    detector,
    logger: ctx.logger,
    ...(detonator
      ? {
          detonate: (source: string, v: ScriptVerdict, where: Where) =>
            detonator.judge(source, v, detector, where),
        }
      : {}),
  }
  const browser = await launchBrowser(opts)
  let exit: number = EXIT.clean
  try {
    for (const url of urls) {
      const capture = await browser.visit(url)
      const verdicts = await judgeScripts(judge, capture.scripts)
      const record = toPageRecord(capture, judgePage(capture, verdicts), verdicts)
      if (capture.status !== 'ok') exit = EXIT.error
      else if (record.verdict !== 'clean' && exit === EXIT.clean) exit = EXIT.flagged
      if (flags.json) printJson(record)
      else printPage(record)
    }
  } finally {
    await detonator?.close()
    await browser.close()
  }
  return exit
}

function printPage(r: PageRecord): void {
  process.stdout.write(
    `${r.url} → ${r.finalUrl}: ${r.verdict.toUpperCase()}${r.reason ? ` (${r.reason})` : ''}\n`,
  )
  for (const reason of r.reasons) process.stdout.write(`  - ${reason}\n`)
  printTable(
    r.scripts.map((s) => [
      s.verdict,
      s.sha256.slice(0, 12),
      s.url ?? '(inline)',
      s.findings.map((f) => f.rule).join(', '),
    ]),
    ['VERDICT', 'SHA256', 'SCRIPT', 'RULES'],
  )
  for (const e of r.exfil) {
    process.stdout.write(
      `  exfil: ${e.method} ${e.url} [${e.type}]${e.carriesCard ? ' CARRIES CARD' : ''} from ${e.script?.slice(0, 12) ?? 'unknown script'}\n`,
    )
  }
}
