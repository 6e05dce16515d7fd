// Scheduled rescans on both queue backends: schedules are BullMQ job schedulers that operators edit,
// and a rescan queues crawls for the sites its selection names, deduplicated like a seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../core/logger.ts'
import { capture } from '../helpers/queue-worker-fetch.ts'
import { parseResolveRule } from '../../crawler/index.ts'
import { createDetector } from '../../detector/index.ts'
import { loadConfig } from '../../core/config.ts'
import { openBackend, queueSchema, type BackendConfig } from '../../pipeline/backend.ts'
import { crawlJobId, openQueues, startWorkers } from '../../pipeline/queues.ts'
import {
  installDefaultSchedules,
  listSchedules,
  removeSchedule,
  selectSites,
  setSchedule,
} from '../../pipeline/schedules.ts'
import { openStore, type Store } from '../../store/index.ts'
import {
  PG_URL,
  REDIS_URL,
  deleteRedisPrefix,
  dropSchema,
  uniqueName,
} from '../helpers/services.ts'

const DAY = 24 * 3600 * 1000

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

const backends: {
  name: string
  cfg: (p: string) => BackendConfig
  drop: (p: string) => Promise<unknown>
}[] = [
  {
    name: 'Redis',
    cfg: (prefix) => ({ kind: 'redis', url: REDIS_URL, prefix }),
    drop: deleteRedisPrefix,
  },
  {
    name: 'PostgreSQL',
    cfg: (prefix) => ({ kind: 'postgres', url: PG_URL, prefix }),
    drop: (prefix) => dropSchema(queueSchema(prefix)),
  },
]

describe.each(backends)('rescan schedules on $name', ({ cfg, drop }) => {
  const schema = uniqueName('sw_sched')
  const prefix = uniqueName('sw_sched')
  let store: Store
  let infected: number
  let firstScan: number

  beforeAll(async () => {
    store = await openStore({ databaseUrl: PG_URL, home: '.', schema })
    await store.addSites(
      ['a', 'b', 'c'].map((n) => ({ domain: `${n}.example`, url: `https://${n}.example/` })),
    )
    const [a] = await store.listSites()
    infected = a?.id ?? 0
    firstScan = await store.saveCapture(infected, capture('https://a.example/', Date.now(), null))
    await store.saveVerdicts(firstScan, { verdict: 'malicious', reasons: ['test'] }, [])
  })
  afterAll(async () => {
    await store?.close()
    await dropSchema(schema)
    await drop(prefix)
  })

  it('installs weekly and daily rescans once, and keeps what an operator changed', async () => {
    const backend = await openBackend(cfg(prefix), createLogger('silent'))
    try {
      const { rescan } = openQueues(backend)
      expect(await installDefaultSchedules(rescan)).toEqual(['rescan-all', 'rescan-infected'])
      await setSchedule(rescan, { name: 'rescan-all', select: 'all', every: 3 * DAY })
      expect(await installDefaultSchedules(rescan)).toEqual([])
      const all = await listSchedules(rescan)
      expect(all.map((s) => [s.name, s.select, s.every])).toEqual([
        ['rescan-all', 'all', 3 * DAY],
        ['rescan-infected', 'infected', DAY],
      ])
      // the first run is one period away, not now: seeding already queued every site
      const infectedNext = all.find((s) => s.name === 'rescan-infected')?.next ?? 0
      expect(infectedNext).toBeGreaterThan(Date.now() + DAY - 60_000)
      await expect(setSchedule(rescan, { name: 'x', select: 'nobody' })).rejects.toThrow(
        /unknown site selection "nobody"/,
      )
      expect(await removeSchedule(rescan, 'rescan-all')).toBe(true)
      expect((await listSchedules(rescan)).map((s) => s.name)).toEqual(['rescan-infected'])
    } finally {
      await backend.close()
    }
  })

  it('a due rescan of infected sites crawls those again, once', async () => {
    const backend = await openBackend(cfg(prefix), createLogger('silent'))
    const queues = openQueues(backend, 100)
    // what the scheduler adds when it is due; twice, as two schedulers firing together would
    await queues.rescan.add('rescan', { select: 'infected' })
    await queues.rescan.add('rescan', { select: 'infected' })
    // The race two rescans run into, made certain: the second one checks which sites were
    // visited since it was asked for before the first one's crawl is saved, and goes on after.
    let checks = 0
    const secondChecked = deferred()
    const scanSaved = deferred()
    const racing: Store = {
      ...store,
      scannedSince: async (ids, since) => {
        const seen = await store.scannedSince(ids, since)
        if (++checks === 2) {
          secondChecked.resolve()
          await scanSaved.promise
        }
        return seen
      },
      saveCapture: async (siteId, c) => {
        const id = await store.saveCapture(siteId, c)
        scanSaved.resolve()
        return id
      },
    }
    const visited: string[] = []
    const run = startWorkers(
      {
        store: racing,
        config: { ...loadConfig({}), home: '.' },
        logger: createLogger('silent'),
        // the names exist only here: pinned like --resolve, never looked up
        crawl: {
          allowPrivate: true,
          resolve: [parseResolveRule('*.example:443:127.0.0.1')],
          timeoutMs: 1_000,
        },
        detector: createDetector(),
        browser: () =>
          Promise.resolve({
            visit: async (url: string) => {
              visited.push(url)
              await secondChecked.promise
              return capture(url, Date.now(), null)
            },
            close: () => Promise.resolve(),
          }),
      },
      backend,
      queues,
      { backend: cfg(prefix), concurrency: 2, once: true },
    )
    await run.outcomes
    expect(visited).toEqual(['https://a.example/'])
    // a new scan follows the one that found the skimmer, and nothing else was crawled
    expect((await store.latestScanBySite([infected])).get(infected)).toBeGreaterThan(firstScan)
    const counts = await queues.crawl.getJobCounts('completed', 'failed')
    expect(counts).toEqual({ completed: 1, failed: 0 })
    const [job] = await queues.crawl.getCompleted()
    expect(job?.id).toBe(crawlJobId(infected, firstScan))
    await run.stop()
  })
})

describe('the follow-up selection', () => {
  const schema = uniqueName('sw_follow')
  let store: Store
  afterAll(async () => {
    await store?.close()
    await dropSchema(schema)
  })

  it('takes the sites with an open case once their rescan period has passed, and no others', async () => {
    store = await openStore({ databaseUrl: PG_URL, home: '.', schema })
    await store.addSites(
      ['a', 'b', 'c'].map((n) => ({ domain: `${n}.example`, url: `https://${n}.example/` })),
    )
    const [a, b] = await store.listSites()
    for (const site of [a, b]) {
      const scan = await store.saveCapture(
        site?.id ?? 0,
        capture(site?.url ?? '', Date.now(), null),
      )
      await store.openCase(site?.id ?? 0, scan)
    }
    const config = loadConfig({})
    // just opened: not due within a week; due at once with no waiting period; c has no case
    expect(await selectSites(store, 'follow-up', { ...config, rescanDays: 7 })).toEqual([])
    const due = await selectSites(store, 'follow-up', { ...config, rescanDays: 0 })
    expect([...due].sort()).toEqual([a?.id, b?.id].sort())
  })
})
