// Passwords in service URLs never reach a log line, whichever way the record carries them.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../core/logger.ts'
import { redactSecrets } from '../../core/redact.ts'

function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { lines, logger: createLogger('trace', stream) }
}

describe('redactSecrets', () => {
  it('masks the password of any URL and keeps the rest', () => {
    expect(
      redactSecrets('smtp://mailer:Pa55@mail.example:587 and redis://:r3d@127.0.0.1:6379/0'),
    ).toBe('smtp://mailer:***@mail.example:587 and redis://:***@127.0.0.1:6379/0')
    expect(redactSecrets('https://shop.example/checkout?x=a:b@c')).toBe(
      'https://shop.example/checkout?x=a:b@c',
    )
  })
})

describe('createLogger', () => {
  it('masks passwords in messages, fields, nested objects and errors', () => {
    const { lines, logger } = capture()
    const url = 'postgres://app:DbS3cret@db.internal:5432/skimwatch'
    logger.info(
      { config: { databaseUrl: url, smtp: { password: 'SmtpS3cret' } } },
      `opening ${url}`,
    )
    logger.error({ err: new Error(`cannot reach ${url}`) }, 'failed')
    logger.warn(`plain ${url}`)
    const out = lines.join('')
    expect(out).toContain('db.internal:5432')
    expect(out).not.toMatch(/DbS3cret|SmtpS3cret/)
    expect(lines).toHaveLength(3)
  })
})
