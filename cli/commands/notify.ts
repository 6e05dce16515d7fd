// skimwatch notify: sends every email whose first or next attempt is due (after 4xx answers or an
// unreachable server), and lists the sites whose open case is due for a rescan.
import { EXIT } from '../../core/types.ts'
import { mailSettings, sendQueued, sitesDueForRescan } from '../../notifier/index.ts'
import type { Context } from '../context.ts'
import { printJson } from '../output.ts'

export async function notifyCommand(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const store = await ctx.store()
  const settings = await mailSettings(ctx.config)
  let deferred = 0
  for (const id of await store.dueEmails()) {
    const { status, outcome } = await sendQueued(store, id, settings)
    if (outcome?.kind === 'retry') deferred++
    const error = outcome && outcome.kind !== 'sent' ? outcome.error : null
    if (opts.json) printJson({ email: id, status, error })
    else process.stdout.write(`email ${id}: ${status}${error ? ` (${error})` : ''}\n`)
  }
  const due = await sitesDueForRescan(store, settings.policy)
  const sites = await Promise.all(due.map((id) => store.getSite(id)))
  const domains = sites.flatMap((s) => (s ? [s.domain] : []))
  if (opts.json) printJson({ dueForRescan: domains })
  else if (domains.length > 0) process.stdout.write(`due for a rescan: ${domains.join(' ')}\n`)
  return deferred > 0 ? EXIT.error : EXIT.clean
}
