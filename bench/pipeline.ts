// npm run bench:pipeline [-- drainJobs]: seeding 10,000 domains (PostgreSQL and embedded), jobs/s
// through the queues with the crawl replaced by a canned capture (Redis and PostgreSQL backends),
// worker RSS while draining, and the queue path beside the embedded runner on 200 shops.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import { loadConfig } from '../core/config.ts'
import { createLogger } from '../core/logger.ts'
import { treeRss } from '../core/proc-tree.ts'
import { capture } from '../test/helpers/queue-worker-fetch.ts'
import { parseResolveRule } from '../crawler/index.ts'
import { createDetector } from '../detector/index.ts'
import { openBackend, type BackendConfig } from '../pipeline/backend.ts'
import { runEmbedded } from '../pipeline/embedded.ts'
import { enqueueCrawls, openQueues, startWorkers } from '../pipeline/queues.ts'
import type { StageDeps } from '../pipeline/stages.ts'
import { openStore, type Store } from '../store/index.ts'

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const ROOT = path.resolve(import.meta.dirname, '..')
const DRAIN = Number(process.argv[2] ?? 2_000)
const tag = `sw_bench_${process.pid}`
const MB = 2 ** 20

const rows: string[][] = []
const row = (...cells: (string | number)[]): void => {
  rows.push(cells.map(String))
  process.stderr.write(`${cells.join('  ')}\n`)
}

function seedList(): string {
  const lines = Array.from({ length: 10_000 }, (_, i) => `shop-${i}.example`)
  for (let j = 0; j < 100; j++) lines.splice((j * 101 + 7) % lines.length, 0, `bad line ${j}`)
  return `${lines.join('\n')}\n`
}

/** Runs the built CLI's seed, sampling the process tree's RSS; returns seconds and peak MB. */
async function timedSeed(file: string, env: Record<string, string>) {
  const started = performance.now()
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/skimwatch.mjs'), 'seed', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let peak = 0
  let stderr = ''
  const sample = setInterval(() => (peak = Math.max(peak, treeRss(child.pid ?? 0))), 25)
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((r) => child.on('exit', r))
  clearInterval(sample)
  const bad = stderr.split('\n').filter((l) => /:\d+: skipped/.test(l)).length
  return { s: (performance.now() - started) / 1000, peakMb: peak / MB, bad, code }
}

function deps(store: Store): StageDeps {
  return {
    store,
    config: { ...loadConfig({}), home: tmpdir() },
    logger: createLogger('silent'),
    // pinned like --resolve: the canned visit needs no DNS look-up of the bench's names
    crawl: {
      allowPrivate: true,
      resolve: [parseResolveRule('*.bench:443:127.0.0.1')],
      timeoutMs: 1_000,
    },
    detector: createDetector(),
    browser: () =>
      Promise.resolve({
        visit: (url: string) => Promise.resolve(capture(url, Date.now(), null)),
        close: () => Promise.resolve(),
      }),
  }
}

async function freshStore(name: string, n: number): Promise<{ store: Store; ids: number[] }> {
  const store = await openStore({ databaseUrl: PG_URL, home: tmpdir(), schema: name })
  await store.addSites(
    Array.from({ length: n }, (_, i) => ({ domain: `s${i}.bench`, url: `https://s${i}.bench/` })),
  )
  return { store, ids: (await store.listSites()).map((s) => s.id) }
}

/** Drains `n` canned crawls (and their detect jobs) through one in-process worker; samples RSS. */
async function drain(cfg: BackendConfig, n: number): Promise<void> {
  const { store, ids } = await freshStore(`${tag}_drain_${cfg.kind}`, n)
  const backend = await openBackend(cfg, createLogger('silent'))
  const queues = openQueues(backend)
  const seeded = performance.now()
  await enqueueCrawls(queues.crawl, store, ids)
  const enqueueS = (performance.now() - seeded) / 1000
  const rss: number[] = []
  let stageMs = 0
  const started = performance.now()
  const run = startWorkers(deps(store), backend, queues, {
    backend: cfg,
    concurrency: 8,
    once: true,
    onProgress: (_o, done) => {
      if (done % Math.ceil(n / 10) === 0) rss.push(process.memoryUsage().rss / MB)
    },
  })
  const outcomes = await run.outcomes
  const wallS = (performance.now() - started) / 1000
  for (const stage of ['crawl', 'detect'] as const)
    for (const j of await queues[stage].getCompleted(0, n))
      stageMs += (j.finishedOn ?? 0) - (j.processedOn ?? 0)
  await run.stop()
  await store.close()
  const jobs = outcomes.length * 2
  row(
    `drain ${n} sites, ${cfg.kind}`,
    `${enqueueS.toFixed(2)} s to enqueue`,
    `${(jobs / wallS).toFixed(0)} jobs/s`,
    `${(stageMs / jobs).toFixed(1)} ms in stage code per job`,
    `RSS MB every 10%: ${rss.map((r) => r.toFixed(0)).join(' ')}`,
  )
}

/** The queue machinery alone: `n` jobs whose processor does nothing, one worker, 8 slots. */
async function machinery(cfg: BackendConfig, n: number): Promise<void> {
  const backend = await openBackend(cfg, createLogger('silent'))
  const queue = backend.queue<{ i: number }>('noop')
  await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'noop', data: { i } })))
  const started = performance.now()
  let done = 0
  const finished = new Promise<void>((resolve) => {
    const worker = backend.worker('noop', () => Promise.resolve(), { concurrency: 8 })
    worker.on('completed', () => ++done === n && resolve())
  })
  await finished
  const s = (performance.now() - started) / 1000
  row(
    `queue code alone, ${n} no-op jobs, ${cfg.kind}`,
    `${(n / s).toFixed(0)} jobs/s`,
    `${((s * 1000) / n).toFixed(2)} ms per job`,
  )
  await backend.close()
}

async function versus(n: number): Promise<void> {
  for (const mode of ['embedded', 'redis', 'postgres'] as const) {
    const { store, ids } = await freshStore(`${tag}_vs_${mode}`, n)
    const started = performance.now()
    if (mode === 'embedded') await runEmbedded(deps(store), ids, { concurrency: 8 })
    else {
      const cfg: BackendConfig =
        mode === 'redis'
          ? { kind: 'redis', url: REDIS_URL, prefix: `${tag}_vs` }
          : { kind: 'postgres', url: PG_URL, prefix: `${tag}_vs` }
      const backend = await openBackend(cfg, createLogger('silent'))
      const queues = openQueues(backend)
      await enqueueCrawls(queues.crawl, store, ids)
      const run = startWorkers(deps(store), backend, queues, {
        backend: cfg,
        concurrency: 8,
        once: true,
      })
      await run.outcomes
      await run.stop()
    }
    const s = (performance.now() - started) / 1000
    row(`${n} shops, ${mode}`, `${s.toFixed(2)} s`, `${((s * 1000) / n).toFixed(1)} ms/shop`)
    await store.close()
  }
}

async function cleanup(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  const { rows: schemas } = await client.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`,
    [`${tag}%`],
  )
  for (const s of schemas) await client.query(`DROP SCHEMA "${s.nspname}" CASCADE`)
  await client.end()
  const redis = new Redis(REDIS_URL)
  for (const p of [`${tag}_drain`, `${tag}_vs`]) {
    const keys = await redis.keys(`${p}:*`)
    if (keys.length > 0) await redis.del(...keys)
  }
  redis.disconnect()
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'skimwatch-bench-'))
  const file = path.join(dir, 'seed.txt')
  await writeFile(file, seedList())
  try {
    const pgSeed = await timedSeed(file, {
      DATABASE_URL: PG_URL,
      SKIMWATCH_DB_SCHEMA: `${tag}_seed`,
    })
    row(
      'seed 10,000 + 100 bad, PostgreSQL',
      `${pgSeed.s.toFixed(2)} s`,
      `${pgSeed.peakMb.toFixed(0)} MB peak`,
      `${pgSeed.bad} bad lines named`,
    )
    const home = { SKIMWATCH_HOME: path.join(dir, 'home'), DATABASE_URL: '' }
    const fresh = await timedSeed(file, home)
    row(
      'seed, embedded, fresh store',
      `${fresh.s.toFixed(2)} s`,
      `${fresh.peakMb.toFixed(0)} MB peak`,
      `${fresh.bad} bad lines named`,
    )
    const again = await timedSeed(file, home)
    row(
      'seed, embedded, existing store',
      `${again.s.toFixed(2)} s`,
      `${again.peakMb.toFixed(0)} MB peak`,
      `${again.bad} bad lines named`,
    )
    for (const cfg of [
      { kind: 'redis', url: REDIS_URL, prefix: `${tag}_drain` },
      { kind: 'postgres', url: PG_URL, prefix: `${tag}_drain` },
    ] as const) {
      await machinery(cfg, DRAIN)
      await drain(cfg, DRAIN)
    }
    await versus(200)
  } finally {
    await cleanup()
    await rm(dir, { recursive: true, force: true })
  }
  process.stdout.write('\n')
  const width = Math.max(...rows.map((r) => (r[0] ?? '').length))
  for (const r of rows)
    process.stdout.write(`${(r[0] ?? '').padEnd(width)}  ${r.slice(1).join('  ')}\n`)
}

await main()
