// Real services for integration and e2e tests: each test gets its own schema and queue prefix.
import pg from 'pg'
import { Redis } from 'ioredis'
import { createServer, type AddressInfo } from 'node:net'
import { queueSchema } from '../../pipeline/backend.ts'

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = 'redis://127.0.0.1:6379'

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

export async function deleteRedisPrefix(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL)
  let deleted = 0
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
      cursor = next
      if (keys.length > 0) deleted += await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
  return deleted
}

/** A loopback port that was free a moment ago (nothing listens on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** Both queue backends, each with its configuration, the CLI's environment and its clean-up. */
export const QUEUE_BACKENDS = [
  {
    name: 'Redis',
    cfg: (prefix: string) => ({ kind: 'redis' as const, url: REDIS_URL, prefix }),
    env: (prefix: string) => ({ REDIS_URL, SKIMWATCH_QUEUE_PREFIX: prefix }),
    drop: deleteRedisPrefix,
  },
  {
    name: 'PostgreSQL',
    cfg: (prefix: string) => ({ kind: 'postgres' as const, url: PG_URL, prefix }),
    env: (prefix: string) => ({ SKIMWATCH_QUEUE_PREFIX: prefix }),
    drop: (prefix: string) => dropSchema(queueSchema(prefix)),
  },
]
