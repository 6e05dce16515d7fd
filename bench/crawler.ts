// Full shop visits per minute against plain page loads, at several concurrencies, with peak RSS.
import { chromium, type Browser } from 'playwright'
import { VISIT_PHASES, type PageCapture, type VisitPhases } from '../core/types.ts'
import {
  chromiumArgs,
  findChromium,
  launchBrowser,
  type BrowserSession,
} from '../crawler/launch.ts'
import type { CrawlOptions } from '../crawler/options.ts'
import { parseResolveRule } from '../crawler/resolve.ts'
import { startFixtureServer } from '../fixtures/server.ts'
import { loadavg } from 'node:os'
import { treeCpuMeter, treePss, treeRss } from '../core/proc-tree.ts'

// `tsx bench/crawler.ts 4 8` runs only those levels.
const LEVELS = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0)
if (LEVELS.length === 0) LEVELS.push(1, 4, 8)
const MIN_VISITS = 16
const SAMPLE_MS = 200
const PSS_EVERY_MS = 1000
const GIB = 1024 ** 3

interface Row {
  concurrency: number
  visits: number
  fullPerMin: number
  plainPerMin: number
  peakRss: number
  peakPss: number
  cpuPerVisit: number
  nodeCpuPerVisit: number
  /** step screenshots per full visit */
  shotsPerVisit: number
  /** full visits/min with one fill and no page time run ahead */
  oncePerMin: number
  /** wall ms per visit spent in fill rounds (page time, re-typing, pay clicks) */
  roundsMs: number
  /** wall ms per visit spent passing checkout steps */
  stepsMs: number
  /** wall ms per visit in each phase of the full visits */
  phasesMs: VisitPhases
  notOk: string[]
}

/** Runs `task` over `items` with `concurrency` workers; returns elapsed ms. */
async function runPool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>) {
  const started = performance.now()
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await task(items[i] as T)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return performance.now() - started
}

/** Samples memory of this process and every Chromium under it; `stop` returns the peaks. */
function sampleMemory(): { stop(): { rss: number; pss: number } } {
  const peak = { rss: treeRss(process.pid), pss: treePss(process.pid) }
  let pssAt = 0
  const sample = () => {
    const rss = treeRss(process.pid)
    if (rss <= peak.rss) return
    peak.rss = rss
    // PSS costs tens of ms of CPU: read it only at new RSS peaks, at most once a second.
    if (Date.now() - pssAt < PSS_EVERY_MS) return
    pssAt = Date.now()
    peak.pss = Math.max(peak.pss, treePss(process.pid))
  }
  const timer = setInterval(sample, SAMPLE_MS)
  return {
    stop() {
      clearInterval(timer)
      sample()
      return peak
    },
  }
}

async function fullVisits(opts: CrawlOptions, urls: string[], concurrency: number) {
  const session: BrowserSession = await launchBrowser(opts)
  const notOk: string[] = []
  const spent = { rounds: 0, steps: 0, shots: 0 }
  const phases: VisitPhases = {}
  // Sampled while the browser runs: rusage never sees renderers, which its zygote reaps.
  const cpu = treeCpuMeter(process.pid)
  const timer = setInterval(cpu.sample, SAMPLE_MS)
  try {
    const ms = await runPool(urls, concurrency, async (url) => {
      const c: PageCapture = await session.visit(url)
      if (c.status !== 'ok') notOk.push(`${url}: ${c.status} ${c.reason ?? ''}`)
      spent.rounds += c.walk?.roundsMs ?? 0
      spent.steps += c.walk?.stepsMs ?? 0
      spent.shots += c.walk?.steps.filter((st) => st.screenshot !== undefined).length ?? 0
      for (const [phase, ms] of Object.entries(c.walk?.phasesMs ?? {}))
        phases[phase as keyof VisitPhases] = (phases[phase as keyof VisitPhases] ?? 0) + ms
    })
    cpu.sample()
    const perVisit = (n: number) => n / urls.length
    return {
      browserCpu: cpu.seconds(),
      perMin: (urls.length / ms) * 60_000,
      notOk,
      roundsMs: perVisit(spent.rounds),
      stepsMs: perVisit(spent.steps),
      shotsPerVisit: perVisit(spent.shots),
      phasesMs: Object.fromEntries(
        Object.entries(phases).map(([phase, ms]) => [phase, perVisit(ms)]),
      ) as VisitPhases,
    }
  } finally {
    clearInterval(timer)
    await session.close()
  }
}

async function plainLoads(opts: CrawlOptions, urls: string[], concurrency: number) {
  const executablePath = findChromium(opts.chromiumPath)
  const browser: Browser = await chromium.launch({
    executablePath,
    headless: true,
    args: chromiumArgs(opts),
  })
  try {
    const ms = await runPool(urls, concurrency, async (url) => {
      const context = await browser.newContext()
      try {
        const page = await context.newPage()
        await page.goto(url, { waitUntil: 'load', timeout: opts.timeoutMs })
      } finally {
        await context.close()
      }
    })
    return (urls.length / ms) * 60_000
  } finally {
    await browser.close()
  }
}

/** Prints `head` and `body` as right-aligned columns. */
function printColumns(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`)
  for (const b of body) process.stdout.write(`${line(b)}\n`)
}

/** Wall seconds per visit by phase, one column per concurrency: where a visit's time goes. */
function printPhases(rows: Row[]): void {
  const total = (r: Row) => Object.values(r.phasesMs).reduce((a, b) => a + b, 0)
  const cell = (ms: number, all: number) =>
    `${(ms / 1000).toFixed(2)} (${all > 0 ? Math.round((100 * ms) / all) : 0}%)`
  const body = VISIT_PHASES.map((phase) => [
    phase,
    ...rows.map((r) => cell(r.phasesMs[phase] ?? 0, total(r))),
  ])
  body.push(['total', ...rows.map((r) => cell(total(r), total(r)))])
  printColumns(['phase (wall s/visit)', ...rows.map((r) => `at ${r.concurrency}`)], body)
}

function printTable(rows: Row[]): void {
  const head = [
    'concurrency',
    'full visits/min',
    'plain loads/min',
    'ratio',
    'peak RSS',
    'peak PSS',
    'CPU s/visit',
    'of which Node',
    'shots/visit',
    'one round/min',
    'rounds +s/visit',
    'rounds s/visit',
    'steps s/visit',
  ]
  const body = rows.map((r) => [
    String(r.concurrency),
    r.fullPerMin.toFixed(1),
    r.plainPerMin.toFixed(1),
    `${(r.fullPerMin / r.plainPerMin).toFixed(3)}`,
    `${(r.peakRss / GIB).toFixed(2)} GiB`,
    `${(r.peakPss / GIB).toFixed(2)} GiB`,
    r.cpuPerVisit.toFixed(2),
    r.nodeCpuPerVisit.toFixed(2),
    r.shotsPerVisit.toFixed(1),
    r.oncePerMin.toFixed(1),
    // Each of `concurrency` workers spends 60·c/rate seconds on a visit.
    ((60 * r.concurrency) / r.fullPerMin - (60 * r.concurrency) / r.oncePerMin).toFixed(2),
    (r.roundsMs / 1000).toFixed(2),
    (r.stepsMs / 1000).toFixed(2),
  ])
  printColumns(head, body)
}

async function main(): Promise<void> {
  const server = await startFixtureServer()
  const shopUrls = server.shops.filter((s) => s.host.startsWith('shop-')).map((s) => s.url)
  const rounds = Math.ceil(MIN_VISITS / shopUrls.length)
  const urls = Array.from({ length: rounds }, () => shopUrls).flat()
  const opts: CrawlOptions = {
    allowPrivate: true,
    resolve: server.resolve.map(parseResolveRule),
    timeoutMs: 30_000,
  }
  process.stdout.write(
    `${shopUrls.length} fixture shops × ${rounds} = ${urls.length} visits per level, ${LEVELS.join('/')} at once\n\n`,
  )
  const rows: Row[] = []
  try {
    for (const concurrency of LEVELS) {
      const memory = sampleMemory()
      const nodeBefore = process.cpuUsage()
      const full = await fullVisits(opts, urls, concurrency)
      const node = process.cpuUsage(nodeBefore)
      const plainPerMin = await plainLoads(opts, urls, concurrency)
      const peak = memory.stop()
      const nodeCpuPerVisit = (node.user + node.system) / 1e6 / urls.length
      const cpuPerVisit = nodeCpuPerVisit + full.browserCpu / urls.length
      // The same visits without page time or a second round: what the rounds cost.
      const once = await fullVisits({ ...opts, pageTimeMs: 0, fillRounds: 1 }, urls, concurrency)
      rows.push({
        concurrency,
        visits: urls.length,
        fullPerMin: full.perMin,
        plainPerMin,
        peakRss: peak.rss,
        peakPss: peak.pss,
        cpuPerVisit,
        nodeCpuPerVisit,
        shotsPerVisit: full.shotsPerVisit,
        oncePerMin: once.perMin,
        roundsMs: full.roundsMs,
        stepsMs: full.stepsMs,
        phasesMs: full.phasesMs,
        notOk: full.notOk,
      })
    }
  } finally {
    await server.close()
  }
  printTable(rows)
  process.stdout.write('\n')
  printPhases(rows)
  const load = loadavg().map((l) => l.toFixed(1))
  process.stdout.write(
    `\nload average at the end: ${load.join(' ')} (other work on this machine slows every column)\n` +
      'CPU: this process plus every browser process under it, sampled during the full visits\n' +
      'peak RSS sums every process (shared pages counted in each); PSS splits them (sampled ≤ 1/s)\n' +
      'one round: the same visits with no page time run ahead and one fill; rounds +s: the extra\n' +
      'wall seconds a visit takes with the rounds on; rounds s: wall time in fill rounds (typing,\n' +
      'page time run ahead, typing again, pay clicks);\n' +
      'steps: wall time passing multi-step checkout steps (fill, choose, continue, validation)\n' +
      'phases: wall time of the full visits, one phase at a time (a nested phase counts once)\n',
  )
  const best = rows.reduce((a, b) => (b.fullPerMin > a.fullPerMin ? b : a))
  process.stdout.write(
    `\nbest: ${best.fullPerMin.toFixed(1)} full visits/min at concurrency ${best.concurrency}\n`,
  )
  for (const r of rows)
    for (const bad of r.notOk) process.stdout.write(`not ok at ${r.concurrency}: ${bad}\n`)
}

await main()
