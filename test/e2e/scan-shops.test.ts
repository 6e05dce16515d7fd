// Every fixture shop through the `skimwatch scan` command, as an operator would run it.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startFixtureServer, type FixtureServer } from '../../fixtures/server.ts'
import type { PageRecord as ScanLine } from '../../pipeline/page-record.ts'
import { ndjson, runCli } from '../helpers/cli.ts'

let server: FixtureServer
beforeAll(async () => {
  server = await startFixtureServer()
})
afterAll(async () => server?.close())

const sameHost = (url: string, host: string): boolean => {
  const h = new URL(url).hostname
  return h === host || h.endsWith(`.${host}`)
}

it('gives every shop its expected verdict and names each exfil request, host and sender', async () => {
  const urls = server.shops.map((s) => s.url)
  const resolve = server.resolve.flatMap((r) => ['--resolve', r])
  const r = await runCli(['scan', ...urls, ...resolve, '--allow-private', '--json'], {
    env: { DATABASE_URL: '', REDIS_URL: '' },
    timeoutMs: 600_000,
  })
  const pages = ndjson<ScanLine>(r.stdout)
  expect(pages.map((p) => p.url)).toEqual(urls)
  const problems: string[] = []
  server.shops.forEach((shop, i) => {
    const page = pages[i]
    if (!page) return
    const want = shop.expected.verdict
    if (page.verdict !== want) problems.push(`${shop.host}: verdict ${page.verdict}, want ${want}`)
    const shas = new Set(page.scripts.map((s) => s.sha256))
    for (const host of shop.expected.exfilHosts) {
      const sent = page.exfil.filter((e) => sameHost(e.url, host))
      if (sent.length === 0) problems.push(`${shop.host}: no exfil record for ${host}`)
      else if (!sent.some((e) => e.script !== null && shas.has(e.script)))
        problems.push(`${shop.host}: exfil to ${host} names no captured script`)
    }
    if (want === 'clean' && page.exfil.some((e) => e.carriesCard))
      problems.push(`${shop.host}: a clean shop sent the card off-site`)
  })
  expect(problems).toEqual([])
  const encrypted = server.shops.findIndex((s) => s.host === 'shop-encrypted.test')
  expect(pages[encrypted]?.exfil.length).toBeGreaterThan(0)
  expect(pages[encrypted]?.exfil.every((e) => !e.carriesCard)).toBe(true)
  expect(r.code).toBe(1)
}, 660_000)
