import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { ConfigError } from '../../core/errors.ts'

describe('loadConfig', () => {
  it('has embedded defaults with no environment', () => {
    const c = loadConfig({})
    expect(c.databaseUrl).toBeUndefined()
    expect(c.redisUrl).toBeUndefined()
    expect(c.home).toMatch(/\.skimwatch$/)
    expect(c.concurrency).toBeGreaterThan(0)
  })

  it('names every bad variable with a hint', () => {
    let error: unknown
    try {
      loadConfig({ REDIS_URL: 'localhost:6379', SKIMWATCH_CONCURRENCY: 'many', DATABASE_URL: '' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).toMatch(/REDIS_URL: must be a URL starting with redis:\/\//)
    expect(message).toMatch(/SKIMWATCH_CONCURRENCY/)
    expect(message).not.toMatch(/DATABASE_URL/)
  })

  it('reads the fill rounds and page time, 0 page time included, and refuses out-of-range ones', () => {
    expect(loadConfig({})).toMatchObject({ fillRounds: 3, pageTimeMs: 60_000 })
    expect(loadConfig({ SKIMWATCH_FILL_ROUNDS: '1', SKIMWATCH_PAGE_TIME_MS: '0' })).toMatchObject({
      fillRounds: 1,
      pageTimeMs: 0,
    })
    expect(() => loadConfig({ SKIMWATCH_FILL_ROUNDS: '0' })).toThrow(/SKIMWATCH_FILL_ROUNDS/)
    expect(() => loadConfig({ SKIMWATCH_PAGE_TIME_MS: '-5' })).toThrow(/SKIMWATCH_PAGE_TIME_MS/)
  })

  it('reads service URLs', () => {
    const c = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      SKIMWATCH_DB_SCHEMA: 'sw_1',
    })
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379')
    expect(c.dbSchema).toBe('sw_1')
  })

  it('refuses queued workers without a shared store, and SMTP without a reply address', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /REDIS_URL: needs DATABASE_URL/,
    )
    expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:25' })).toThrow(/SKIMWATCH_MAIL_FROM/)
    expect(
      loadConfig({ SMTP_URL: 'smtp://127.0.0.1:25', SKIMWATCH_MAIL_FROM: 'cert@localhost' })
        .mailFrom,
    ).toBe('cert@localhost')
  })

  it('treats empty variables as unset', () => {
    const c = loadConfig({ LOG_LEVEL: '', SKIMWATCH_HOME: ' ', REDIS_URL: '' })
    expect(c.logLevel).toBe('warn')
    expect(c.home).toMatch(/\.skimwatch$/)
    expect(c.redisUrl).toBeUndefined()
  })
})
