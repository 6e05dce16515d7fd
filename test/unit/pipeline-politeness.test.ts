// Pure parts of the pipeline's operations: host keys, worker sizing, exclusions, reconnects, intervals.
import { describe, expect, it } from 'vitest'
import { reconnectDelay, queueSchema } from '../../pipeline/backend.ts'
import {
  excludedBy,
  parseExclusions,
  sizeConcurrency,
  visitKeys,
} from '../../pipeline/politeness.ts'
import { crawlJobId } from '../../pipeline/queues.ts'
import { parseEvery } from '../../pipeline/schedules.ts'

const GB = 2 ** 30

describe('politeness', () => {
  it('keys a visit by registrable domain, hosting address and host', () => {
    expect(visitKeys('https://www.shop.co.uk/checkout', '203.0.113.9')).toEqual({
      domain: 'shop.co.uk',
      address: '203.0.113.9',
      host: 'www.shop.co.uk',
    })
    // the public suffix list's private section: each shop on a platform is its own registrant
    expect(visitKeys('https://a.myshopify.com/', null).domain).toBe('a.myshopify.com')
    expect(visitKeys('https://www.a.myshopify.com/', null).domain).toBe('a.myshopify.com')
    expect(visitKeys('http://[2001:db8::1]:8080/', null).domain).toBe('2001:db8::1')
  })

  it('sizes a worker by what was asked, its cores and its memory', () => {
    expect(sizeConcurrency(8, { cores: 2, totalBytes: 64 * GB, freeBytes: 60 * GB })).toBe(8)
    expect(sizeConcurrency(64, { cores: 2, totalBytes: 64 * GB, freeBytes: 60 * GB })).toBe(8)
    // 2 GB free: (2 GB - 512 MB reserve) / 300 MB per page = 5 pages
    expect(sizeConcurrency(8, { cores: 8, totalBytes: 16 * GB, freeBytes: 2 * GB })).toBe(5)
    expect(sizeConcurrency(8, { cores: 8, totalBytes: 16 * GB, freeBytes: 0.1 * GB })).toBe(1)
  })

  it("reads the operators' exclusions and matches subdomains, never look-alikes", () => {
    const list = parseExclusions('# do not visit\nGov.example\n*.bank.example.\n\n')
    expect(list).toEqual(['gov.example', 'bank.example'])
    expect(excludedBy('https://shop.gov.example/', list)).toBe('gov.example')
    expect(excludedBy('https://bank.example/', list)).toBe('bank.example')
    expect(excludedBy('https://notgov.example/', list)).toBeNull()
  })
})

describe('queues', () => {
  it('derives a crawl id from the site and the scan it follows', () => {
    expect(crawlJobId(7, 0)).toBe('crawl-7-after-0')
    expect(crawlJobId(7, 42)).not.toBe(crawlJobId(7, 0))
  })

  it('reconnects with a capped exponential backoff once it has been connected', () => {
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, false))).toEqual([250, 500, 1000, null])
    expect(reconnectDelay(4, true)).toBe(2000)
    expect(reconnectDelay(50, true)).toBe(10_000)
  })

  it('puts PostgreSQL queues in a schema named after the prefix', () => {
    expect(queueSchema('skimwatch')).toBe('skimwatch_queues')
    expect(queueSchema('Team-A:prod')).toBe('team_a_prod_queues')
  })

  it('reads rescan intervals', () => {
    expect(parseEvery('7d')).toBe(7 * 24 * 3600 * 1000)
    expect(parseEvery('30m')).toBe(30 * 60_000)
    expect(() => parseEvery('5s')).toThrow(/at least 1m/)
    expect(() => parseEvery('weekly')).toThrow(/not an interval/)
  })
})
