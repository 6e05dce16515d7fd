// Two worker processes on each queue backend, 50 shops: one worker is SIGKILLed mid-crawl, and on
// Redis the server itself is restarted mid-run. Every shop must end with exactly one scan.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../core/logger.ts'
import { openBackend, queueSchema, type BackendConfig } from '../../pipeline/backend.ts'
import { enqueueCrawls, openQueues, STAGES } from '../../pipeline/queues.ts'
import { queueStatus } from '../../pipeline/status.ts'
import { createMetrics, serveMetrics } from '../../pipeline/metrics.ts'
import { runCli } from '../helpers/cli.ts'
import { openStore, type Store } from '../../store/index.ts'
import {
  startShopFarm,
  startWorker,
  until,
  type LoggedRequest,
  type ShopFarm,
  type WorkerProcess,
} from '../helpers/queue-fixtures.ts'
import {
  PG_URL,
  REDIS_URL,
  deleteRedisPrefix,
  dropSchema,
  freePort,
  uniqueName,
} from '../helpers/services.ts'

const SHOPS = 50

async function scansPerSite(schema: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ id: string; n: string }>(
      `SELECT s.id, count(sc.id) AS n FROM "${schema}".sites s
       LEFT JOIN "${schema}".scans sc ON sc.site_id = s.id GROUP BY s.id`,
    )
    return new Map(rows.map((r) => [Number(r.id), Number(r.n)]))
  } finally {
    await client.end()
  }
}

/** A Redis of this test's own, with an append-only file so a restart keeps the queues. */
async function startOwnRedis(dir: string, port: number): Promise<{ stop(): Promise<void> }> {
  const child = spawn(
    '/usr/bin/redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ],
    { stdio: 'ignore' },
  )
  const exited = new Promise<void>((r) => child.on('exit', () => r()))
  const { Redis } = await import('ioredis')
  await until(
    async () => {
      const r = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null })
      r.on('error', () => undefined)
      try {
        await r.connect()
        return (await r.ping()) === 'PONG'
      } catch {
        return false
      } finally {
        r.disconnect()
      }
    },
    10_000,
    'redis-server to accept connections',
    100,
  )
  return {
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

interface Backend {
  name: string
  config: (prefix: string, redisPort?: number) => BackendConfig
  cleanup: (prefix: string) => Promise<void>
}

const backends: Backend[] = [
  {
    name: 'Redis',
    config: (prefix, port) => ({
      kind: 'redis',
      url: port ? `redis://127.0.0.1:${port}` : REDIS_URL,
      prefix,
    }),
    cleanup: async (prefix) => void (await deleteRedisPrefix(prefix)),
  },
  {
    name: 'PostgreSQL',
    config: (prefix) => ({ kind: 'postgres', url: PG_URL, prefix }),
    cleanup: (prefix) => dropSchema(queueSchema(prefix)),
  },
]

/** 50 shops on one fixture server, seeded into a store schema of their own, for one describe block. */
function seededFarm(tag: string, delayMs: number, cleanup?: (prefix: string) => Promise<void>) {
  const ctx = {
    schema: uniqueName(`sw_${tag}`),
    prefix: uniqueName(`sw_${tag}`),
    farm: undefined as unknown as ShopFarm,
    store: undefined as unknown as Store,
    home: '',
    /** queues a crawl of every seeded shop on `cfg`; the caller closes the producer */
    enqueueAll: async (cfg: BackendConfig) => {
      const producer = await openBackend(cfg, createLogger('silent'))
      const queues = openQueues(producer, 200)
      const ids = (await ctx.store.listSites()).map((s) => s.id)
      await enqueueCrawls(queues.crawl, ctx.store, ids)
      return { producer, queues, ids }
    },
    /** the environment of a worker process named `name` on `cfg` */
    env: (name: string, cfg: BackendConfig): Record<string, string> => ({
      QW_NAME: name,
      QW_FIXTURE_PORT: String(ctx.farm.port),
      QW_BACKEND: JSON.stringify(cfg),
      QW_DB_URL: PG_URL,
      QW_SCHEMA: ctx.schema,
      QW_HOME: ctx.home,
      // the shops' names exist only here: pinned like --resolve, never looked up
      QW_RESOLVE: `*.test:${ctx.farm.port}:127.0.0.1`,
    }),
  }
  beforeAll(async () => {
    ctx.home = await mkdtemp(path.join(tmpdir(), `skimwatch-${tag}-`))
    ctx.farm = await startShopFarm({ count: SHOPS, delayMs, prefix: tag })
    ctx.store = await openStore({ databaseUrl: PG_URL, home: ctx.home, schema: ctx.schema })
    const { hosts, urls } = ctx.farm
    await ctx.store.addSites(hosts.map((h, i) => ({ domain: h, url: urls[i] as string })))
  })
  afterAll(async () => {
    await ctx.store?.close()
    await ctx.farm?.close()
    await dropSchema(ctx.schema)
    await cleanup?.(ctx.prefix)
    if (ctx.home) await rm(ctx.home, { recursive: true, force: true })
  })
  return ctx
}

describe.each(backends)('two workers on the $name queues', (backend) => {
  const t = seededFarm('qw', 150, backend.cleanup)

  it(
    'finishes every shop with exactly one scan when one worker is SIGKILLed mid-crawl',
    { timeout: 150_000 },
    async () => {
      const cfg = backend.config(t.prefix)
      const { producer, queues, ids } = await t.enqueueAll(cfg)
      // seeding again before anything ran adds nothing: the ids are the same
      await enqueueCrawls(queues.crawl, t.store, ids)
      expect((await queues.crawl.getJobCounts('waiting')).waiting).toBe(SHOPS)

      const a = startWorker(t.env('a', cfg))
      const b = startWorker(t.env('b', cfg))
      // kill a the moment one of its visits arrives, once both have been working for a while
      const cutOff = await new Promise<LoggedRequest>((resolve) => {
        const onRequest = (r: LoggedRequest): void => {
          const served = new Set(t.farm.log.filter((x) => x.end !== null).map((x) => x.worker))
          if (r.worker !== 'a' || served.size < 2) return
          a.child.kill('SIGKILL')
          t.farm.events.off('request', onRequest)
          resolve(r)
        }
        t.farm.events.on('request', onRequest)
      })
      expect(await a.exited).toBeNull()
      const code = await Promise.race([b.exited, timeout(90_000, b)])
      expect(code, b.stderr).toBe(0)

      const scans = await scansPerSite(t.schema)
      expect([...scans.values()].filter((n) => n !== 1)).toEqual([])
      expect(scans.size).toBe(SHOPS)
      // the killed worker's job was taken up again: b visited that shop after a died
      expect(
        t.farm.log.some(
          (r) => r.host === cutOff.host && r.worker === 'b' && r.start >= cutOff.start,
        ),
      ).toBe(true)

      const status = await queueStatus(queues)
      for (const stage of STAGES) {
        expect(status.queues[stage].active, stage).toBe(0)
        expect(status.queues[stage].waiting, stage).toBe(0)
        expect(status.queues[stage].failed, stage).toBe(0)
      }
      expect(status.queues.crawl.completed).toBe(SHOPS)
      expect(status.queues.detect.completed).toBe(SHOPS)

      // what an operator sees: `skimwatch status` and the Prometheus endpoint tell the same numbers
      const cli = await runCli(['status', '--json'], {
        env: {
          SKIMWATCH_SOURCE: '1',
          SKIMWATCH_QUEUE_PREFIX: t.prefix,
          DATABASE_URL: PG_URL,
          REDIS_URL: cfg.kind === 'redis' ? cfg.url : '',
        },
      })
      expect(cli.code, cli.stderr).toBe(0)
      const shown = JSON.parse(cli.stdout) as Awaited<ReturnType<typeof queueStatus>>
      expect(shown.queues.crawl).toEqual({
        waiting: 0,
        active: 0,
        delayed: 0,
        completed: SHOPS,
        failed: 0,
      })
      expect(shown.crawlsPerMinute).toBeGreaterThanOrEqual(SHOPS / shown.windowMinutes)
      expect(shown.etaMinutes).toBe(0)
      const metrics = createMetrics(() => queues)
      const served = await serveMetrics(metrics, '127.0.0.1', 0)
      try {
        const text = await (await fetch(`http://127.0.0.1:${served.port}/metrics`)).text()
        expect(text).toContain(`skimwatch_jobs{queue="crawl",state="completed"} ${SHOPS}`)
        expect(text).toContain(`skimwatch_jobs{queue="detect",state="completed"} ${SHOPS}`)
        expect(text).toContain('skimwatch_jobs{queue="crawl",state="active"} 0')
      } finally {
        await served.close()
      }
      await producer.close()
    },
  )
})

function timeout(ms: number, w: WorkerProcess): Promise<never> {
  return new Promise((_, reject) =>
    setTimeout(
      () => reject(new Error(`worker did not finish in ${ms} ms:\n${w.stderr}`)),
      ms,
    ).unref(),
  )
}

describe('workers on a Redis that restarts mid-run', () => {
  const t = seededFarm('qr', 100)

  it(
    'completes the run after Redis comes back, saying so in its log',
    { timeout: 150_000 },
    async () => {
      const port = await freePort()
      let redis = await startOwnRedis(t.home, port)
      const cfg: BackendConfig = {
        kind: 'redis',
        url: `redis://127.0.0.1:${port}`,
        prefix: t.prefix,
      }
      try {
        const { producer } = await t.enqueueAll(cfg)
        await producer.close()
        const a = startWorker(t.env('a', cfg))
        const b = startWorker(t.env('b', cfg))
        const servedBy = (w: string): number =>
          t.farm.log.filter((r) => r.worker === w && r.end !== null).length
        await until(() => servedBy('a') >= 3 && servedBy('b') >= 3, 60_000, 'both workers visiting')
        await redis.stop()
        const servedWhileDown = t.farm.log.length
        await until(
          () => /lost the connection to Redis/.test(a.stderr + b.stderr),
          10_000,
          'the loss to be logged',
        )
        redis = await startOwnRedis(t.home, port)
        const codes = await Promise.race([Promise.all([a.exited, b.exited]), timeout(90_000, a)])
        expect(codes, a.stderr + b.stderr).toEqual([0, 0])
        const logs = a.stderr + b.stderr
        expect(logs).toMatch(/reconnecting in \d+ ms \(attempt \d+\)/)
        expect(logs).toMatch(/reconnected to Redis at 127\.0\.0\.1:\d+/)
        expect(t.farm.log.length).toBeGreaterThan(servedWhileDown)
        const scans = await scansPerSite(t.schema)
        expect(scans.size).toBe(SHOPS)
        expect([...scans.values()].filter((n) => n !== 1)).toEqual([])
      } finally {
        await redis.stop()
      }
    },
  )
})

describe('a worker told to stop with SIGTERM', () => {
  const t = seededFarm('qt', 400, async (p) => void (await deleteRedisPrefix(p)))

  it(
    'finishes its visits in flight, leaves nothing active, and the rest waits for the next worker',
    { timeout: 150_000 },
    async () => {
      const cfg: BackendConfig = { kind: 'redis', url: REDIS_URL, prefix: t.prefix }
      const { producer, queues } = await t.enqueueAll(cfg)
      const a = startWorker(t.env('a', cfg))
      const inFlight = await new Promise<LoggedRequest>((resolve) =>
        t.farm.events.once('request', (r: LoggedRequest) => {
          a.child.kill('SIGTERM')
          resolve(r)
        }),
      )
      expect(await Promise.race([a.exited, timeout(30_000, a)]), a.stderr).toBe(0)
      // the visit under way when the signal came was served to the end and stored
      expect(inFlight.end).not.toBeNull()
      const counts = await queues.crawl.getJobCounts('active', 'waiting', 'completed')
      expect(counts.active).toBe(0)
      expect(counts.completed).toBeGreaterThan(0)
      expect(counts.waiting).toBe(SHOPS - (counts.completed ?? 0))

      const b = startWorker(t.env('b', cfg))
      expect(await Promise.race([b.exited, timeout(90_000, b)]), b.stderr).toBe(0)
      const scans = await scansPerSite(t.schema)
      expect([...scans.values()].filter((n) => n !== 1)).toEqual([])
      await producer.close()
    },
  )
})
