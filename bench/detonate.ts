// Detonations per minute with one warm chamber browser, over fixtures/detonate and any files given:
// `tsx bench/detonate.ts [file.js …] [--rounds N] [--concurrency N] [--files-only]`. One row per
// detonation, and how many of the files given sent the card out (the chamber's reach on them).
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { loadavg } from 'node:os'
import type { Observation } from '../core/types.ts'
import { createChamber } from '../crawler/detonate.ts'
import { loadDetonateSamples, sampleResponses } from '../fixtures/detonate/load.ts'

interface Row {
  name: string
  status: string
  cardVia: string
  requests: number
  compiled: number
  ms: number
}

interface Args {
  files: string[]
  rounds: number
  concurrency: number
  filesOnly: boolean
}

function parseArgs(argv: string[]): Args {
  const files: string[] = []
  let rounds = 1
  let concurrency = 1
  let filesOnly = false
  const count = (v: string | undefined) => Math.max(1, Number(v ?? 1) || 1)
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === '--rounds') rounds = count(argv[++i])
    else if (a === '--concurrency') concurrency = count(argv[++i])
    else if (a === '--files-only') filesOnly = true
    else files.push(a)
  }
  return { files, rounds, concurrency, filesOnly }
}

function rowOf(name: string, o: Observation, ms: number): Row {
  const via = [...new Set(o.requests.filter((r) => r.carriesCard).map((r) => r.type))]
  return {
    name,
    status: o.status,
    cardVia: via.join(',') || '-',
    requests: o.requests.length,
    compiled: o.compiled.length,
    ms,
  }
}

function printTable(rows: Row[]): void {
  const head = ['sample', 'status', 'card via', 'requests', 'compiled', 'ms']
  const cells = rows.map((r) => [
    r.name,
    r.status,
    r.cardVia,
    String(r.requests),
    String(r.compiled),
    String(r.ms),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)))
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`)
  for (const c of cells) process.stdout.write(`${line(c)}\n`)
}

async function main(): Promise<void> {
  const { files, rounds, concurrency, filesOnly } = parseArgs(process.argv.slice(2))
  const fixtures = loadDetonateSamples()
  const given = files.map((f) => ({
    name: basename(f),
    source: readFileSync(f, 'utf8'),
    html: /\.x?html?$/i.test(f),
  }))
  const samples = [
    ...(filesOnly ? [] : fixtures.map((s) => ({ name: s.name, source: s.source, html: s.html }))),
    ...given,
  ]
  const launchStarted = performance.now()
  const chamber = await createChamber({ responses: sampleResponses(fixtures) })
  const launchMs = performance.now() - launchStarted
  const rows: Row[] = []
  const started = performance.now()
  const queue = Array.from({ length: rounds }, () => samples).flat()
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      const t = performance.now()
      const o = await chamber.detonate(s.source, { html: s.html })
      rows.push(rowOf(s.name, o, Math.round(performance.now() - t)))
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    await chamber.close()
  }
  const elapsed = performance.now() - started
  printTable(rows)
  const ok = rows.filter((r) => r.status === 'ok')
  const okMs = ok.reduce((a, r) => a + r.ms, 0)
  const names = new Set(given.map((g) => g.name))
  const mine = rows.filter((r) => names.has(r.name))
  const fired = mine.filter((r) => r.cardVia !== '-').length
  const perMin = (n: number, ms: number) => (ms > 0 ? ((n * 60_000) / ms).toFixed(1) : '-')
  process.stdout.write(
    `\nchamber start: ${Math.round(launchMs)} ms (${chamber.isolation}), concurrency ${concurrency}\n` +
      `all ${rows.length} detonations: ${perMin(rows.length, elapsed)}/min ` +
      `(hostile samples spend their whole time budget)\n` +
      `the ${ok.length} that ran to the end: ${perMin(ok.length * concurrency, okMs)}/min\n` +
      (mine.length > 0
        ? `files given: the card left in ${fired} of ${mine.length} detonations\n`
        : '') +
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other work on this machine slows every column)\n`,
  )
}

await main()
