// Detector and CLI speed over the benign npm corpus, every figure a whole process timed from
// outside (min and median of several runs), beside one node process that only acorn-parses.
//   npm run bench:detector [-- --runs N] [--slowest]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'acorn'
import * as detector from '../detector/index.ts'
import { defaultThreads } from '../cli/analyze-pool.ts'

const ROOT = join(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin/skimwatch.mjs')
const MB = 1024 * 1024
const CONTRACT_KEYS = new Set(['file', 'sha256', 'verdict', 'score', 'findings', 'error'])
// analyze reports a detonation as a field or a finding under one of these names
const DETONATION = /detonat|observ|chamber|sandbox/i
const NOT_RUN = /^not\b|\bnot detonated\b|\bunavailable\b/i
const PROBE_SAMPLE = join(ROOT, 'fixtures/samples/malicious/plain-image-beacon.js')

interface Corpus {
  bundles: string[]
}
interface Timing {
  min: number
  median: number
  /** user + system CPU seconds of the process, median: steadier than wall time on a busy machine */
  cpu: number
  stdout: string
}
type Row = [measure: string, min: string, median: string, cpu: string, note: string]

// Loaded into every timed process: reports its own CPU time when it exits.
const CPU_PRELOAD = `import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  const u = process.cpuUsage()
  writeFileSync(process.env.BENCH_CPU_FILE, String((u.user + u.system) / 1e6))
})
`
let preload = ''
let cpuFile = ''
let tmp = ''
let homes = 0

function loadCorpus(): { name: string; path: string; source: string }[] {
  const list = JSON.parse(
    readFileSync(join(ROOT, 'fixtures/corpus/npm-bundles.json'), 'utf8'),
  ) as Corpus
  return list.bundles.map((p) => ({
    name: p,
    path: join(ROOT, p),
    source: readFileSync(join(ROOT, p), 'utf8'),
  }))
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Wall and CPU time of a whole process, `runs` times after one warm-up run. */
function timeProcess(args: string[], runs: number, extraEnv: Record<string, string> = {}): Timing {
  const once = (): { secs: number; cpu: number; stdout: string } => {
    const t0 = process.hrtime.bigint()
    const r = spawnSync(process.execPath, ['--import', preload, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 256 * MB,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        SKIMWATCH_SOURCE: '',
        BENCH_CPU_FILE: cpuFile,
        // a fresh home per run: no cached observation from an earlier run
        SKIMWATCH_HOME: join(tmp, `home-${++homes}`),
        ...extraEnv,
      },
    })
    const secs = Number(process.hrtime.bigint() - t0) / 1e9
    // analyze exits 1 when something is flagged; 2 or a signal means the figure is meaningless
    if (r.status === null || r.status > 1)
      throw new Error(`node ${args.join(' ').slice(0, 120)}… exited ${r.status}: ${r.stderr}`)
    return { secs, cpu: Number(readFileSync(cpuFile, 'utf8')), stdout: r.stdout }
  }
  let stdout = once().stdout
  const secs: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const r = once()
    secs.push(r.secs)
    cpu.push(r.cpu)
    stdout = r.stdout
  }
  return { min: Math.min(...secs), median: median(secs), cpu: median(cpu), stdout }
}

// One cold node process that reads and parses every file the way the detector's first pass does.
const ACORN_ONLY = `
import { readFileSync } from 'node:fs'
import { parse } from 'acorn'
const base = { ecmaVersion: 'latest', allowHashBang: true }
for (const file of process.argv.slice(1)) {
  const text = readFileSync(file, 'utf8')
  try { parse(text, { ...base, sourceType: 'script' }) } catch { try { parse(text, { ...base, sourceType: 'module' }) } catch {} }
}
`

interface Line {
  verdict?: string
  findings?: { rule: string; message: string }[]
  [key: string]: unknown
}

function lines(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line)
}

type Detonation = { ran: boolean; how: string } | null

/** What a line says about detonation: a field or a finding naming the chamber, or nothing. */
function detonationOf(line: Line): Detonation {
  for (const [key, v] of Object.entries(line))
    if (!CONTRACT_KEYS.has(key) && DETONATION.test(key))
      return { ran: v === true || (typeof v === 'object' && v !== null), how: `field "${key}"` }
  for (const f of line.findings ?? [])
    if (DETONATION.test(f.rule))
      return { ran: !NOT_RUN.test(f.message), how: `finding "${f.rule}": ${f.message}` }
  return null
}

/** The detector inside this process: no start-up, cold (first sight) and cached (seen before). */
function inProcess(
  corpus: { name: string; source: string }[],
  rounds: number,
): { acornSecs: number; coldSecs: number; cachedSecs: number; slowest: string[] } {
  const seconds = (run: () => void): number => {
    const t0 = process.hrtime.bigint()
    run()
    return Number(process.hrtime.bigint() - t0) / 1e9
  }
  // per bundle, acorn and detector back to back, best of `rounds`: load hits both alike
  const acornBest = corpus.map(() => Infinity)
  const coldBest = corpus.map(() => Infinity)
  for (let r = 0; r < rounds; r++)
    corpus.forEach((c, i) => {
      const a = seconds(() => parse(c.source, { ecmaVersion: 'latest' }))
      const d = seconds(() => detector.analyzeScript(c.source))
      acornBest[i] = Math.min(acornBest[i]!, a)
      coldBest[i] = Math.min(coldBest[i]!, d)
    })
  const cached = detector.createDetector()
  for (const c of corpus) cached.analyze(c.source)
  let cachedSecs = Infinity
  for (let r = 0; r < rounds; r++)
    cachedSecs = Math.min(
      cachedSecs,
      seconds(() => {
        for (const c of corpus) cached.analyze(c.source)
      }),
    )
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
  const slowest = corpus
    .map((c, i) => ({ c, ratio: coldBest[i]! / acornBest[i]! }))
    .sort((a, b) => b.ratio - a.ratio)
    .slice(0, 15)
    .map(
      ({ c, ratio }) =>
        `${ratio.toFixed(2)}×  ${(c.source.length / 1024).toFixed(0).padStart(6)} KB  ${c.name}`,
    )
  return { acornSecs: sum(acornBest), coldSecs: sum(coldBest), cachedSecs, slowest }
}

function main(): void {
  const argv = process.argv.slice(2)
  const runsAt = argv.indexOf('--runs')
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5
  const corpus = loadCorpus()
  const files = corpus.map((c) => c.path)
  const bytes = corpus.reduce((n, c) => n + Buffer.byteLength(c.source), 0)
  // as analyze chooses by default
  const threads = defaultThreads(bytes, corpus.length, availableParallelism())
  const mbps = (secs: number): string => `${(bytes / MB / secs).toFixed(2)} MB/s`
  const s = (secs: number): string => `${secs.toFixed(3)} s`
  tmp = mkdtempSync(join(tmpdir(), 'skimwatch-bench-'))
  const oneLine = join(tmp, 'one-line.js')
  writeFileSync(oneLine, 'document.title = "hello"\n')
  writeFileSync(join(tmp, 'cpu.mjs'), CPU_PRELOAD)
  preload = pathToFileURL(join(tmp, 'cpu.mjs')).href
  cpuFile = join(tmp, 'cpu.txt')
  const t = (x: Timing): [string, string, string] => [s(x.min), s(x.median), s(x.cpu)]

  try {
    const acorn = timeProcess(['--input-type=module', '-e', ACORN_ONLY, ...files], runs)
    const staticRun = timeProcess([BIN, 'analyze', '--static', '--json', ...files], runs)
    const oneThread = timeProcess([BIN, 'analyze', '--static', '--json', ...files], runs, {
      SKIMWATCH_ANALYZE_THREADS: '1',
    })
    const flagged = lines(staticRun.stdout).filter((l) => l.verdict && l.verdict !== 'clean')
    const version = timeProcess([BIN, '--version'], runs)
    const tinyStatic = timeProcess([BIN, 'analyze', '--static', '--json', oneLine], runs)
    const tinyDefault = timeProcess([BIN, 'analyze', '--json', oneLine], runs)
    // default analyze detonates when a chamber is wired in, and its JSON lines say so; a known
    // skimmer goes along so that a chamber that only runs suspicious scripts shows too
    const probe = lines(timeProcess([BIN, 'analyze', '--json', PROBE_SAMPLE, ...files], 0).stdout)
    const said = probe.map(detonationOf).filter((d): d is NonNullable<Detonation> => d !== null)

    const rows: Row[] = [
      ['corpus', `${corpus.length} files`, `${(bytes / MB).toFixed(2)} MB`, '', ''],
      ['(a) node + acorn.parse, every file, cold', ...t(acorn), mbps(acorn.median)],
      [
        '(b) analyze --static --json, every file',
        ...t(staticRun),
        `${mbps(staticRun.median)}; b/a throughput ${(acorn.median / staticRun.median).toFixed(2)}×, ${threads} thread(s); b/a CPU ${(acorn.cpu / staticRun.cpu).toFixed(2)}×`,
      ],
      [
        '(b1) the same on the main thread only (SKIMWATCH_ANALYZE_THREADS=1)',
        ...t(oneThread),
        `${mbps(oneThread.median)}; b1/a throughput ${(acorn.median / oneThread.median).toFixed(2)}×`,
      ],
      ['(b) flagged in this benign corpus', '', String(flagged.length), '', 'listed below'],
      ['(c) start-up: --version', ...t(version), ''],
      ['(c) start-up: analyze --static, 1-line file', ...t(tinyStatic), ''],
      ['(c) start-up: analyze, 1-line file', ...t(tinyDefault), ''],
    ]
    if (said.some((d) => d.ran)) {
      const full = timeProcess([BIN, 'analyze', '--json', ...files], runs)
      const out = lines(full.stdout)
      const ran = out.filter((l) => detonationOf(l)?.ran).length
      rows.push(
        ['(d) analyze (detonation), every file', ...t(full), mbps(full.median)],
        ['(d) detonations/min', '', ((ran / full.median) * 60).toFixed(1), '', ''],
        [
          '(d) detonated share of the corpus',
          '',
          `${((100 * ran) / out.length).toFixed(0)} %`,
          '',
          `${ran} of ${out.length}`,
        ],
      )
    } else {
      // wired in but nothing ran (no browser…) says why; not wired in says so
      const why = said[0] ? `n/a (not run: ${said[0].how.slice(0, 80)})` : 'n/a (no chamber)'
      for (const m of [
        '(d) analyze (detonation), every file',
        '(d) detonations/min',
        '(d) detonated share of the corpus',
      ])
        rows.push([m, '', why, '', ''])
    }
    const ip = inProcess(corpus, Math.max(1, Math.min(runs, 3)))
    rows.push(
      ['in-process acorn.parse, best of rounds', '', s(ip.acornSecs), '', mbps(ip.acornSecs)],
      [
        'in-process detector, cold',
        '',
        s(ip.coldSecs),
        '',
        `${mbps(ip.coldSecs)}; ${(ip.acornSecs / ip.coldSecs).toFixed(2)}× acorn`,
      ],
      [
        'in-process detector, cached',
        '',
        s(ip.cachedSecs),
        '',
        `${mbps(ip.cachedSecs)}; ${(ip.coldSecs / ip.cachedSecs).toFixed(1)}× cold`,
      ],
    )

    console.log(`whole processes: ${runs} runs after a warm-up; wall min and median, CPU median\n`)
    console.log('| measure | wall min | wall median | CPU | throughput / note |')
    console.log('|---|---:|---:|---:|---|')
    for (const r of rows) console.log(`| ${r.join(' | ')} |`)
    for (const l of flagged)
      console.log(`  flagged: ${String(l.file)} (${l.verdict}, ${String(l.score)})`)
    if (argv.includes('--slowest')) for (const l of ip.slowest) console.log(l)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

main()
