// Per-host politeness: one visit at a time per registrable domain and per hosting address, and a
// minimum pause between two visits to one host. On Redis the check-and-take is one Lua script, so
// any number of workers on any number of machines share it; without Redis the limits hold per process.
import { randomUUID } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import net from 'node:net'
import { freemem, totalmem, availableParallelism } from 'node:os'
import type { Redis } from 'ioredis'
import { getDomain } from 'tldts'
import { BadInputError, CrawlError } from '../core/errors.ts'
import { lookupRule, type ResolveRule } from '../crawler/index.ts'
import type { Store } from '../store/index.ts'

export interface VisitKeys {
  /** registrable domain (public suffix + 1, platform suffixes like myshopify.com included), or the IP literal */
  domain: string
  /** hosting address the host resolves to, when it resolves */
  address: string | null
  /** host name, for the pause between visits */
  host: string
}

export interface HostLimiter {
  /** takes the slots of these keys when all are free and the host's pause is over; else ms to wait */
  tryAcquire(keys: VisitKeys, token: string): Promise<number>
  release(keys: VisitKeys, token: string): Promise<void>
}

export interface PolitenessOptions {
  /** minimum ms between the end of one visit to a host and the start of the next */
  hostDelayMs: number
  /** a slot is freed after this long even when its holder died */
  slotTtlMs: number
}

/** What a visit to `url` holds: `address` is the pinned (--resolve) or resolved hosting address. */
export function visitKeys(url: string, address: string | null): VisitKeys {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  const domain = net.isIP(host) ? host : (getDomain(host, { allowPrivateDomains: true }) ?? host)
  return { domain, address, host }
}

/**
 * The host's first address. A name that does not exist (NXDOMAIN) is a permanent failure; a
 * resolver that does not answer now is a passing one, retried with the job's backoff.
 */
export async function hostingAddress(
  url: string,
  pinned: string | undefined,
): Promise<string | null> {
  if (pinned) return pinned
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
  if (net.isIP(host)) return host
  try {
    return (await lookup(host)).address
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOTFOUND' || code === 'ENODATA')
      throw new BadInputError(`${host} does not resolve (NXDOMAIN): there is no shop to visit`)
    throw new CrawlError(`cannot resolve ${host} now (${code ?? String(err)}): will retry`)
  }
}

// loopback names are test and demo fixtures standing for separate machines: no address slot
const sharedAddress = (a: string | null): a is string =>
  a !== null && !/^127\./.test(a) && a !== '::1'

const slotKeys = (prefix: string, k: VisitKeys): string[] => [
  `${prefix}:polite:domain:${k.domain}`,
  ...(sharedAddress(k.address) ? [`${prefix}:polite:ip:${k.address}`] : []),
  `${prefix}:polite:next:${k.host}`,
]

// KEYS: slot keys…, then the host's next-visit key. ARGV: token, slot ttl ms.
// Returns 0 when every slot was free and taken, else how many ms to wait (at least 1).
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local nextAt = tonumber(redis.call('GET', KEYS[#KEYS]) or '0')
if nextAt > now then wait = nextAt - now end
for i = 1, #KEYS - 1 do
  local holder = redis.call('GET', KEYS[i])
  if holder and holder ~= ARGV[1] then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i = 1, #KEYS - 1 do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
return 0
`

// KEYS as above. ARGV: token, pause ms. Frees only the slots this token holds.
const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS - 1 do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
local pause = tonumber(ARGV[2])
if pause > 0 then redis.call('SET', KEYS[#KEYS], now + pause, 'PX', pause) end
return 1
`

export function redisLimiter(redis: Redis, prefix: string, opts: PolitenessOptions): HostLimiter {
  return {
    async tryAcquire(k, token) {
      const keys = slotKeys(prefix, k)
      const wait = await redis.eval(ACQUIRE, keys.length, ...keys, token, opts.slotTtlMs)
      return Number(wait)
    },
    async release(k, token) {
      const keys = slotKeys(prefix, k)
      await redis.eval(RELEASE, keys.length, ...keys, token, opts.hostDelayMs)
    },
  }
}

/** The same rules in the store's database: every worker of a PostgreSQL-queued deployment shares them. */
export function storeLimiter(
  store: Pick<Store, 'tryTakeHostSlots' | 'releaseHostSlots'>,
  opts: PolitenessOptions,
): HostLimiter {
  const split = (k: VisitKeys): [string[], string] => {
    const keys = slotKeys('slot', k)
    return [keys.slice(0, -1), keys.at(-1) as string]
  }
  return {
    tryAcquire: (k, token) => store.tryTakeHostSlots(...split(k), token, opts.slotTtlMs),
    release: (k, token) => store.releaseHostSlots(...split(k), token, opts.hostDelayMs),
  }
}

/** The same rules for one process (the embedded runner). */
export function memoryLimiter(opts: PolitenessOptions): HostLimiter {
  const held = new Map<string, { token: string; until: number }>()
  const nextAt = new Map<string, number>()
  return {
    tryAcquire(k, token) {
      const now = Date.now()
      const keys = slotKeys('', k)
      const next = keys.pop() as string
      let wait = Math.max(0, (nextAt.get(next) ?? 0) - now)
      for (const key of keys) {
        const h = held.get(key)
        if (h && h.token !== token && h.until > now) wait = Math.max(wait, 1, h.until - now)
      }
      if (wait > 0) return Promise.resolve(wait)
      for (const key of keys) held.set(key, { token, until: now + opts.slotTtlMs })
      return Promise.resolve(0)
    },
    release(k, token) {
      const keys = slotKeys('', k)
      const next = keys.pop() as string
      for (const key of keys) if (held.get(key)?.token === token) held.delete(key)
      if (opts.hostDelayMs > 0) nextAt.set(next, Date.now() + opts.hostDelayMs)
      return Promise.resolve()
    },
  }
}

/** A held slot may be freed any moment: look again at least this often. */
const POLL_MS = 250

/**
 * Runs `visit` holding the host's slots. Waits while they are taken, up to `maxWaitMs`; returns
 * `{ waited }` without visiting when that is not enough, so the caller can hand the job back.
 */
export async function politely<T>(
  limiter: HostLimiter,
  keys: VisitKeys,
  opts: { hostDelayMs: number; maxWaitMs: number },
  visit: () => Promise<T>,
): Promise<{ done: true; value: T } | { done: false; retryInMs: number }> {
  const token = randomUUID()
  const deadline = Date.now() + opts.maxWaitMs
  for (;;) {
    const wait = await limiter.tryAcquire(keys, token)
    if (wait === 0) break
    if (Date.now() + Math.min(wait, POLL_MS) > deadline) return { done: false, retryInMs: wait }
    await new Promise((r) => setTimeout(r, Math.min(wait, POLL_MS)))
  }
  try {
    return { done: true, value: await visit() }
  } finally {
    await limiter.release(keys, token)
  }
}

/** Pages a worker crawls at once: what was asked, bounded by cores and by memory for Chromium pages. */
export function sizeConcurrency(
  requested: number,
  machine = { cores: availableParallelism(), totalBytes: totalmem(), freeBytes: freemem() },
): number {
  const PAGE_BYTES = 300 * 2 ** 20
  const RESERVE = 512 * 2 ** 20
  const byMemory = Math.floor(
    (Math.min(machine.totalBytes * 0.75, machine.freeBytes) - RESERVE) / PAGE_BYTES,
  )
  return Math.max(1, Math.min(requested, machine.cores * 4, byMemory))
}

export { excludedBy, parseExclusions } from './exclusions.ts'

/** The host stays taken longer than a visit should wait: the caller hands the job back. */
export class HostBusy extends Error {
  override name = 'HostBusy'
  constructor(readonly retryInMs: number) {
    super(`host busy for ${retryInMs} ms`)
  }
}

/** Wraps a visit in the limits of its host: waits its turn, then visits; HostBusy past maxWaitMs. */
export function politeVisit(
  limiter: HostLimiter,
  rules: ResolveRule[],
  opts: { hostDelayMs: number; maxWaitMs: number; observeSeconds?: (s: number) => void },
) {
  return async <T>(url: string, visit: () => Promise<T>): Promise<T> => {
    const u = new URL(url)
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80))
    const keys = visitKeys(url, await hostingAddress(url, lookupRule(rules, u.hostname, port)))
    const timed = async (): Promise<T> => {
      const started = performance.now()
      try {
        return await visit()
      } finally {
        opts.observeSeconds?.((performance.now() - started) / 1000)
      }
    }
    const r = await politely(limiter, keys, opts, timed)
    if (!r.done) throw new HostBusy(r.retryInMs)
    return r.value
  }
}
