// The host limiter on the real Redis and PostgreSQL: two workers, 20 pages of one host, one at a time.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseResolveRule } from '../../crawler/index.ts'
import {
  memoryLimiter,
  politeVisit,
  redisLimiter,
  storeLimiter,
  type HostLimiter,
} from '../../pipeline/politeness.ts'
import { fetchCapture } from '../helpers/queue-worker-fetch.ts'
import { startShopFarm, type LoggedRequest, type ShopFarm } from '../helpers/queue-fixtures.ts'
import { openStore, type Store } from '../../store/index.ts'
import {
  PG_URL,
  REDIS_URL,
  deleteRedisPrefix,
  dropSchema,
  uniqueName,
} from '../helpers/services.ts'

const DELAY_MS = 120
const PAGES = 20

/** Pairs of consecutive visits to the host, by the server's own clock: gap from one's end to the next's start. */
function gaps(log: LoggedRequest[]): number[] {
  const sorted = [...log].sort((a, b) => a.start - b.start)
  return sorted.slice(1).map((r, i) => r.start - (sorted[i]?.end ?? Number.POSITIVE_INFINITY))
}

describe('host limiter', () => {
  const prefix = uniqueName('sw_polite')
  const connections: Redis[] = []
  let farm: ShopFarm

  const schema = uniqueName('sw_polite')
  let stores: Store[] = []

  beforeAll(async () => {
    farm = await startShopFarm({ count: PAGES, delayMs: 40, sameHost: 'one-host.test' })
    // two workers' stores: separate connection pools on one database schema
    stores = [
      await openStore({ databaseUrl: PG_URL, home: '.', schema }),
      await openStore({ databaseUrl: PG_URL, home: '.', schema }),
    ]
  })
  afterAll(async () => {
    for (const st of stores) await st.close()
    await dropSchema(schema)
    for (const c of connections) c.disconnect()
    await farm?.close()
    await deleteRedisPrefix(prefix)
  })

  const limiters: [string, () => HostLimiter[]][] = [
    [
      'on Redis, shared by two workers',
      () =>
        [0, 1].map(() => {
          const redis = new Redis(REDIS_URL)
          connections.push(redis)
          return redisLimiter(redis, prefix, { hostDelayMs: DELAY_MS, slotTtlMs: 10_000 })
        }),
    ],
    [
      'in PostgreSQL, shared by two workers',
      () => stores.map((st) => storeLimiter(st, { hostDelayMs: DELAY_MS, slotTtlMs: 10_000 })),
    ],
    ['in one process', () => [memoryLimiter({ hostDelayMs: DELAY_MS, slotTtlMs: 10_000 })]],
  ]

  it.each(limiters)(
    '%s: never two visits of one host at a time, and the pause between them holds',
    async (_, make) => {
      farm.log.length = 0
      const rules = [parseResolveRule(`one-host.test:${farm.port}:127.0.0.1`)]
      const visitors = make().map((l) =>
        politeVisit(l, rules, { hostDelayMs: DELAY_MS, maxWaitMs: 60_000 }),
      )
      // all 20 asked for at once, spread over the workers
      await Promise.all(
        farm.urls.map((url, i) => {
          const visit = visitors[i % visitors.length] as (typeof visitors)[number]
          return visit(url, () => fetchCapture(url, farm.port, `w${i % visitors.length}`))
        }),
      )
      expect(farm.log).toHaveLength(PAGES)
      expect(farm.log.every((r) => r.end !== null)).toBe(true)
      const g = gaps(farm.log)
      // a negative gap would be two visits at once; the server's clock is the judge
      expect(Math.min(...g)).toBeGreaterThanOrEqual(DELAY_MS - 5)
    },
  )
})
