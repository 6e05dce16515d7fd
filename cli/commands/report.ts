// skimwatch report: one line per site with its latest verdict.
import { EXIT } from '../../core/types.ts'
import type { Context } from '../context.ts'
import { printJson, printTable } from '../output.ts'

export async function reportCommand(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const rows = await (await ctx.store()).report()
  if (opts.json) rows.forEach(printJson)
  else
    printTable(
      rows.map((r) => [
        r.domain,
        r.verdict ?? 'not scanned',
        r.lastScanAt ?? '-',
        String(r.flaggedScripts.length),
        r.notifiedAt ?? '-',
      ]),
      ['DOMAIN', 'VERDICT', 'LAST SCAN', 'FLAGGED', 'NOTIFIED'],
    )
  return rows.some((r) => r.verdict === 'malicious' || r.verdict === 'suspicious')
    ? EXIT.flagged
    : EXIT.clean
}
