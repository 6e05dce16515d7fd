// Detector throughput over the benign npm corpus, beside a plain acorn parse of the same bytes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'acorn'
import type { ScriptVerdict } from '../core/types.ts'
import * as detector from '../detector/index.ts'

const ROOT = join(import.meta.dirname, '..')
const MB = 1024 * 1024

interface Corpus {
  bundles: string[]
}

function loadCorpus(): { name: string; source: string }[] {
  const list = JSON.parse(
    readFileSync(join(ROOT, 'fixtures/corpus/npm-bundles.json'), 'utf8'),
  ) as Corpus
  return list.bundles.map((p) => ({ name: p, source: readFileSync(join(ROOT, p), 'utf8') }))
}

function seconds(run: () => void): number {
  const t0 = process.hrtime.bigint()
  run()
  return Number(process.hrtime.bigint() - t0) / 1e9
}

/** Best of `rounds` timings: the least disturbed by GC and JIT warm-up of unrelated code. */
function best(rounds: number, run: () => void): number {
  let min = Infinity
  for (let i = 0; i < rounds; i++) min = Math.min(min, seconds(run))
  return min
}

function main(): void {
  const corpus = loadCorpus()
  const bytes = corpus.reduce((n, c) => n + Buffer.byteLength(c.source), 0)
  const rounds = Number(process.argv[2] ?? 3)
  const verdicts = new Map<string, ScriptVerdict>()
  // Per bundle, acorn and detector run back to back and keep their best of `rounds`:
  // load on a shared machine then hits both sides alike.
  const acornBest = corpus.map(() => Infinity)
  const coldBest = corpus.map(() => Infinity)
  for (let r = 0; r < rounds; r++)
    corpus.forEach((c, i) => {
      const a = seconds(() => parse(c.source, { ecmaVersion: 'latest', locations: true }))
      const d = seconds(() => verdicts.set(c.name, detector.analyzeScript(c.source)))
      acornBest[i] = Math.min(acornBest[i] as number, a)
      coldBest[i] = Math.min(coldBest[i] as number, d)
    })
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
  const acornSecs = sum(acornBest)
  const coldSecs = sum(coldBest)
  // The pipeline's cached detector: the first pass fills it, the timed passes only hit.
  const cached = detector.createDetector()
  for (const c of corpus) cached.analyze(c.source)
  const cachedSecs = best(rounds, () => {
    for (const c of corpus) cached.analyze(c.source)
  })
  const stats = cached.stats()

  const mbps = (s: number): number => bytes / MB / s
  const rows: [string, string, string][] = [
    ['bundles', String(corpus.length), ''],
    ['cache hits / parses', `${stats.hits} / ${stats.parses}`, ''],
    ['total MB', (bytes / MB).toFixed(2), ''],
    ['acorn.parse MB/s', mbps(acornSecs).toFixed(2), '1.00× acorn'],
    [
      'detector cold MB/s',
      mbps(coldSecs).toFixed(2),
      `${(acornSecs / coldSecs).toFixed(2)}× acorn`,
    ],
    [
      'detector cached MB/s',
      mbps(cachedSecs).toFixed(1),
      `${(coldSecs / cachedSecs).toFixed(1)}× cold`,
    ],
  ]
  console.log(`| measure | value | ratio |\n|---|---:|---:|`)
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`)
  const flagged = [...verdicts].filter(([, v]) => v.verdict !== 'clean')
  for (const [name, v] of flagged) console.log(`  ${v.verdict}: ${name} (${v.score})`)
  if (process.argv.includes('--slowest')) slowest(corpus, acornBest, coldBest)
}

function slowest(
  corpus: { name: string; source: string }[],
  acorn: number[],
  cold: number[],
): void {
  const rows = corpus.map((c, i) => ({
    name: c.name,
    kb: c.source.length / 1024,
    ratio: (cold[i] as number) / (acorn[i] as number),
  }))
  rows.sort((a, b) => b.ratio - a.ratio)
  for (const r of rows.slice(0, 15))
    console.log(`${r.ratio.toFixed(2)}×  ${r.kb.toFixed(0).padStart(6)} KB  ${r.name}`)
}

main()
