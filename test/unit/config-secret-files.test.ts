// Service URLs with passwords can come from files (Docker and Kubernetes secrets), never only from env.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { ConfigError } from '../../core/errors.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'skimwatch-secret-files-'))
  await writeFile(path.join(dir, 'smtp'), 'smtp://mailer:S3cret@mail.example.org:587\n')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('secret files', () => {
  it('reads SMTP_URL from SMTP_URL_FILE, trimmed', () => {
    const config = loadConfig({
      SMTP_URL_FILE: path.join(dir, 'smtp'),
      SKIMWATCH_MAIL_FROM: 'skimwatch@cert.example',
    })
    expect(config.smtpUrl).toBe('smtp://mailer:S3cret@mail.example.org:587')
  })
  it('refuses both forms at once and names an unreadable file without its content', () => {
    expect(() =>
      loadConfig({ SMTP_URL: 'smtp://a@b', SMTP_URL_FILE: path.join(dir, 'smtp') }),
    ).toThrow(/SMTP_URL_FILE: set SMTP_URL or SMTP_URL_FILE, not both/)
    const missing = path.join(dir, 'nope')
    expect(() => loadConfig({ DATABASE_URL_FILE: missing })).toThrow(ConfigError)
    expect(() => loadConfig({ DATABASE_URL_FILE: missing })).toThrow(
      /cannot read .*nope \(ENOENT\)/,
    )
  })
  it('validates what the file holds like the variable itself', () => {
    expect(() => loadConfig({ REDIS_URL_FILE: path.join(dir, 'smtp') })).toThrow(/REDIS_URL/)
  })
})
