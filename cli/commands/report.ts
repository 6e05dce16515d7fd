// skimwatch report: one line per site with its latest verdict and the history of its cases.
import { EXIT } from '../../core/types.ts'
import type { CaseHistory } from '../../store/index.ts'
import type { Context } from '../context.ts'
import { printJson, printTable } from '../output.ts'

function caseSummary(c: CaseHistory | undefined): string {
  if (!c) return '-'
  const reminders = c.reminders > 0 ? `, ${c.reminders} reminder(s)` : ''
  return c.closedAt ? `fixed ${c.closedAt}` : `open since ${c.openedAt}${reminders}`
}

export async function reportCommand(
  ctx: Context,
  opts: { json?: boolean; history?: boolean },
): Promise<number> {
  const store = await ctx.store()
  const rows = await store.report()
  const cases = new Map<string, CaseHistory[]>()
  for (const c of await store.caseHistory())
    cases.set(c.domain, [...(cases.get(c.domain) ?? []), c])
  if (opts.json) {
    for (const r of rows) {
      const history = (cases.get(r.domain) ?? []).map(({ domain: _, siteId: __, ...c }) => c)
      printJson({ ...r, cases: history })
    }
  } else {
    printTable(
      rows.map((r) => [
        r.domain,
        r.verdict ?? 'not scanned',
        r.lastScanAt ?? '-',
        String(r.flaggedScripts.length),
        r.notifiedAt ?? '-',
        caseSummary(cases.get(r.domain)?.[0]),
      ]),
      ['DOMAIN', 'VERDICT', 'LAST SCAN', 'FLAGGED', 'NOTIFIED', 'CASE'],
    )
    if (opts.history)
      printHistory(
        rows.map((r) => r.domain),
        cases,
      )
  }
  return rows.some((r) => r.verdict === 'malicious' || r.verdict === 'suspicious')
    ? EXIT.flagged
    : EXIT.clean
}

function printHistory(domains: string[], cases: Map<string, CaseHistory[]>): void {
  for (const domain of domains) {
    for (const c of [...(cases.get(domain) ?? [])].reverse()) {
      process.stdout.write(`\n${domain} case ${c.id}: ${caseSummary(c)}\n`)
      for (const e of c.events) {
        const who = e.address ? ` ${e.address}` : ''
        process.stdout.write(`  ${e.at}  ${e.kind}${who}${e.detail ? ` (${e.detail})` : ''}\n`)
      }
    }
  }
}
