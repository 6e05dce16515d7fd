// What the network guard's proxy adds to a full crawl of the fixture shops: the same visits with
// the guard on (a --resolve pin vouching for each shop) and off (--allow-private), interleaved.
import { loadavg } from 'node:os'
import { launchBrowser } from '../crawler/launch.ts'
import type { CrawlOptions } from '../crawler/options.ts'
import { parseResolveRule } from '../crawler/resolve.ts'
import { startFixtureServer } from '../fixtures/server.ts'
import { cpuSecondsWithChildren } from '../core/proc-tree.ts'

// `tsx bench/net-guard.ts 5` runs five rounds of each.
const ROUNDS = Number(process.argv[2] ?? 3) || 3

interface Tally {
  ms: number
  cpu: number
  visits: number
  notOk: string[]
}

async function crawl(opts: CrawlOptions, urls: string[], into: Tally): Promise<void> {
  const session = await launchBrowser(opts)
  try {
    const cpu = cpuSecondsWithChildren()
    const started = performance.now()
    for (const url of urls) {
      const c = await session.visit(url)
      if (c.status !== 'ok') into.notOk.push(`${url}: ${c.status} ${c.reason ?? ''}`)
    }
    into.ms += performance.now() - started
    into.cpu += cpuSecondsWithChildren() - cpu
    into.visits += urls.length
  } finally {
    await session.close()
  }
}

async function main(): Promise<void> {
  const server = await startFixtureServer()
  const urls = server.shops.filter((s) => s.host.startsWith('shop-')).map((s) => s.url)
  const resolve = server.resolve.map(parseResolveRule)
  const off: Tally = { ms: 0, cpu: 0, visits: 0, notOk: [] }
  const on: Tally = { ms: 0, cpu: 0, visits: 0, notOk: [] }
  process.stdout.write(`${urls.length} fixture shops, ${ROUNDS} rounds each way, one at a time\n\n`)
  try {
    // Interleaved, so a change in the machine's load falls on both sides alike.
    for (let round = 0; round < ROUNDS; round++) {
      await crawl({ allowPrivate: true, resolve, timeoutMs: 30_000 }, urls, off)
      await crawl({ allowPrivate: false, resolve, timeoutMs: 30_000 }, urls, on)
    }
  } finally {
    await server.close()
  }
  const head = ['guard', 'visits', 'ms/visit', 'CPU s/visit', 'time ratio']
  const row = (name: string, t: Tally) => [
    name,
    String(t.visits),
    (t.ms / t.visits).toFixed(0),
    (t.cpu / t.visits).toFixed(3),
    (t.ms / t.visits / (off.ms / off.visits)).toFixed(3),
  ]
  const rows = [row('off (--allow-private)', off), row('on (proxy)', on)]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`)
  for (const r of rows) process.stdout.write(`${line(r)}\n`)
  process.stdout.write(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  )
  for (const bad of [...off.notOk, ...on.notOk]) process.stdout.write(`not ok: ${bad}\n`)
}

await main()
