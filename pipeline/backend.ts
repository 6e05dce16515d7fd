// Where the queues live: Redis (REDIS_URL) or PostgreSQL (only DATABASE_URL), behind one Queue/Worker API.
import {
  Queue,
  Worker,
  createPostgresBackend,
  type Processor,
  type QueueOptions,
  type WorkerOptions,
} from 'bullmq'
import { Redis } from 'ioredis'
import { ServiceUnavailableError } from '../core/errors.ts'
import type { Logger } from '../core/logger.ts'

export type BackendConfig =
  { kind: 'redis'; url: string; prefix: string } | { kind: 'postgres'; url: string; prefix: string }

export interface QueueBackend {
  readonly kind: BackendConfig['kind']
  /** one shared connection for the Redis-side helpers (limiter); null on PostgreSQL */
  readonly redis: Redis | null
  queue<T>(name: string, opts?: Pick<QueueOptions, 'defaultJobOptions'>): Queue<T>
  worker<T>(
    name: string,
    processor: Processor<T>,
    opts: Omit<WorkerOptions, 'connection' | 'prefix'>,
  ): Worker<T>
  close(): Promise<void>
}

/**
 * Picks the queue backend from the configuration: Redis when REDIS_URL is set, else PostgreSQL.
 * PostgreSQL queues sit beside their store: in `<store schema>_queues` when the store has a
 * schema of its own, else in `<queue prefix>_queues`.
 */
export function backendConfig(config: {
  redisUrl: string | undefined
  databaseUrl: string | undefined
  dbSchema?: string | undefined
  queuePrefix: string
}): BackendConfig | null {
  if (config.redisUrl) return { kind: 'redis', url: config.redisUrl, prefix: config.queuePrefix }
  if (config.databaseUrl)
    return {
      kind: 'postgres',
      url: config.databaseUrl,
      prefix: config.dbSchema ?? config.queuePrefix,
    }
  return null
}

export async function openBackend(cfg: BackendConfig, logger: Logger): Promise<QueueBackend> {
  return cfg.kind === 'redis' ? openRedisBackend(cfg, logger) : openPostgresBackend(cfg, logger)
}

const where = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}`
  } catch {
    return 'the configured URL'
  }
}

/** Retries forever once connected, with a capped exponential backoff; gives up early on first connect. */
export function reconnectDelay(attempt: number, connectedOnce: boolean): number | null {
  if (!connectedOnce && attempt > 3) return null
  return Math.min(10_000, 250 * 2 ** Math.min(attempt - 1, 6))
}

export async function connectRedis(url: string, logger?: Logger): Promise<Redis> {
  let connectedOnce = false
  let down = false
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    connectTimeout: 5_000,
    retryStrategy: (times) => {
      const delay = reconnectDelay(times, connectedOnce)
      if (delay !== null && connectedOnce)
        logger?.warn(
          { redis: where(url), attempt: times, delayMs: delay },
          `Redis at ${where(url)} unreachable: reconnecting in ${delay} ms (attempt ${times})`,
        )
      return delay
    },
  })
  // errors surface through connect() below and the reconnect lines; without a listener ioredis prints them
  redis.on('error', () => undefined)
  redis.on('close', () => {
    if (connectedOnce && !down) {
      down = true
      logger?.warn({ redis: where(url) }, `lost the connection to Redis at ${where(url)}`)
    }
  })
  redis.on('ready', () => {
    if (down) logger?.warn({ redis: where(url) }, `reconnected to Redis at ${where(url)}`)
    down = false
  })
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    throw new ServiceUnavailableError(
      `cannot reach Redis at ${where(url)} (${(err as Error).message}) — start it or unset REDIS_URL to run embedded`,
    )
  }
  connectedOnce = true
  return redis
}

async function openRedisBackend(
  cfg: Extract<BackendConfig, { kind: 'redis' }>,
  logger: Logger,
): Promise<QueueBackend> {
  const redis = await connectRedis(cfg.url, logger)
  const base = { connection: redis, prefix: cfg.prefix }
  const opened: { close(): Promise<void> }[] = []
  const track = <T extends { close(): Promise<void> }>(x: T): T => (opened.push(x), x)
  return {
    kind: 'redis',
    redis,
    queue: (name, opts) => track(new Queue(name, { ...base, ...opts })),
    worker: (name, processor, opts) => track(new Worker(name, processor, { ...base, ...opts })),
    close: async () => {
      await Promise.all(opened.map((x) => x.close()))
      // a close we asked for is no lost connection
      redis.removeAllListeners('close')
      redis.disconnect()
    },
  }
}

/** The PostgreSQL schema the queues live in, from the queue prefix. */
export function queueSchema(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_queues`.slice(0, 63)
}

async function openPostgresBackend(
  cfg: Extract<BackendConfig, { kind: 'postgres' }>,
  logger: Logger,
): Promise<QueueBackend> {
  const schema = queueSchema(cfg.prefix)
  // each Queue/Worker owns a small pool plus one LISTEN session: keep the pools small
  const connection = (max: number) => ({
    connectionString: cfg.url,
    schema,
    migrate: true,
    max,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
  })
  const opened: { close(): Promise<void> }[] = []
  const track = <T extends { close(): Promise<void> }>(x: T): T => (opened.push(x), x)
  const probe = new Queue('probe', { connection: connection(1) }, createPostgresBackend)
  try {
    await probe.waitUntilReady()
  } catch (err) {
    await probe.close().catch(() => undefined)
    throw new ServiceUnavailableError(
      `cannot open the PostgreSQL queues at ${where(cfg.url)} (${(err as Error).message}) — start it, or set REDIS_URL to queue on Redis`,
    )
  }
  await probe.close()
  const onError = (what: string) => (err: Error) =>
    logger.warn({ err: err.message, queue: what }, `PostgreSQL queue connection error (${what})`)
  return {
    kind: 'postgres',
    redis: null,
    queue: <T>(name: string, opts?: Pick<QueueOptions, 'defaultJobOptions'>) => {
      const q = new Queue(name, { connection: connection(1), ...opts }, createPostgresBackend)
      q.on('error', onError(name))
      return track(q) as unknown as Queue<T>
    },
    worker: <T>(
      name: string,
      processor: Processor<T>,
      opts: Omit<WorkerOptions, 'connection' | 'prefix'>,
    ) => {
      const w = new Worker(
        name,
        processor,
        { connection: connection(2), ...opts },
        createPostgresBackend,
      )
      return track(w) as unknown as Worker<T>
    },
    close: async () => {
      await Promise.all(opened.map((x) => x.close()))
    },
  }
}
