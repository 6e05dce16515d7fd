// skimwatch demo: serve the fixture shops on loopback, seed them, run the pipeline, show the outcome.
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { EXIT } from '../../core/types.ts'
import { startFixtureServer } from '../../fixtures/server.ts'
import { createContext } from '../context.ts'
import { printTable } from '../output.ts'
import { runPipeline } from './run.ts'

export async function demoCommand(opts: { home?: string }): Promise<number> {
  const server = await startFixtureServer()
  const base = createContext()
  const home = opts.home ?? path.join(base.config.home, 'demo')
  // only what the demo itself made: --home may point at a directory with other things in it
  await rm(path.join(home, 'db'), { recursive: true, force: true })
  await rm(path.join(home, 'outbox'), { recursive: true, force: true })
  const ctx = createContext({
    home,
    databaseUrl: undefined,
    redisUrl: undefined,
    smtpUrl: undefined,
  })
  try {
    process.stderr.write(`fixture shops on 127.0.0.1:${server.port}; demo store in ${home}\n`)
    const store = await ctx.store()
    await store.addSites(server.shops.map((s) => ({ domain: s.host, url: s.url })))
    const resolve = server.hosts.map((h) => `${h}:${server.port}:127.0.0.1`)
    const outcomes = await runPipeline(ctx, { once: true, resolve, allowPrivate: true })
    const sites = new Map((await store.listSites()).map((s) => [s.id, s.domain]))
    const expected = new Map(server.shops.map((s) => [s.host, s.expected.verdict]))
    let mismatches = 0
    const rows = outcomes
      .map((o) => {
        const domain = sites.get(o.siteId) ?? String(o.siteId)
        const want = expected.get(domain) ?? '?'
        const ok = o.verdict === want
        if (!ok) mismatches++
        return [
          domain,
          o.verdict ?? `error: ${o.error}`,
          want,
          ok ? 'yes' : 'NO',
          o.emailPath ?? '-',
        ]
      })
      .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''))
    printTable(rows, ['SITE', 'VERDICT', 'EXPECTED', 'OK', 'EMAIL'])
    const emails = outcomes.filter((o) => o.emailPath).length
    process.stdout.write(
      `\n${rows.length} shops scanned, ${mismatches} unexpected, ${emails} owner email(s) written to ${path.join(home, 'outbox')}\n`,
    )
    return mismatches === 0 ? EXIT.clean : EXIT.flagged
  } finally {
    await ctx.close()
    await server.close()
  }
}
