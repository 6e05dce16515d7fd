// Secrets given in the environment never appear in anything skimwatch prints, at the chattiest
// log level, on success and on failure. Needs the test PostgreSQL (its own schema, dropped after).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliResult } from '../helpers/cli.ts'

const SECRETS = ['DbS3cretPw', 'SmtpS3cretPw', 'RedisS3cretPw']
const SCHEMA = `sw_secrets_${process.pid}`
let home: string
const outputs: CliResult[] = []

const env = () => ({
  DATABASE_URL: `postgres://postgres:${SECRETS[0]}@127.0.0.1:5432/test`,
  SKIMWATCH_DB_SCHEMA: SCHEMA,
  // a closed port: sending fails, and the failure is reported
  SMTP_URL: `smtp://mailer:${SECRETS[1]}@127.0.0.1:1`,
  SKIMWATCH_MAIL_FROM: 'skimwatch@notify.example',
  SKIMWATCH_HOME: home,
  REDIS_URL: '',
  LOG_LEVEL: 'trace',
})

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'skimwatch-secrets-'))
})

afterAll(async () => {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
  // `run` with DATABASE_URL alone queues in PostgreSQL, beside the store
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA}_queues CASCADE`)
  await client.end()
  await rm(home, { recursive: true, force: true })
})

describe('secrets in logs', () => {
  it(
    'seed, run and report print no password, working or failing',
    { timeout: 120_000 },
    async () => {
      const run = async (args: string[], input?: string, over: Record<string, string> = {}) => {
        const r = await runCli(args, { env: { ...env(), ...over }, ...(input ? { input } : {}) })
        outputs.push(r)
        return r
      }
      expect((await run(['seed', '-'], 'http://127.0.0.1:1/\n')).code).toBe(0)
      // the guard refuses the loopback shop: an error path, logged
      await run(['run', '--once'])
      expect((await run(['report', '--json'])).stdout).toMatch(/127\.0\.0\.1/)
      // services that cannot be reached: the errors name their hosts, never their passwords
      const closedDb = `postgres://postgres:${SECRETS[0]}@127.0.0.1:1/test`
      expect((await run(['report'], undefined, { DATABASE_URL: closedDb })).stderr).toMatch(
        /cannot reach PostgreSQL at 127\.0\.0\.1:1/,
      )
      const closedRedis = `redis://:${SECRETS[2]}@127.0.0.1:1`
      expect((await run(['run', '--once'], undefined, { REDIS_URL: closedRedis })).stderr).toMatch(
        /cannot reach Redis at 127\.0\.0\.1:1/,
      )
      const all = outputs.map((o) => `${o.stdout}\n${o.stderr}`).join('\n')
      // the logs said something, and the URLs they name kept their hosts
      expect(all).toMatch(/"level":\d+/)
      for (const secret of SECRETS) expect(all).not.toContain(secret)
    },
  )
})
