// Seeding a large list through the CLI: 10,000 domains and 100 bad lines, well within 10 s.
import { afterAll, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { PG_URL, dropSchema, uniqueName } from '../helpers/services.ts'

const schema = uniqueName('sw_seed')
afterAll(() => dropSchema(schema))

it('seeds 10,000 domains in under 10 s and names each of the 100 bad lines', async () => {
  const lines = Array.from({ length: 10_000 }, (_, i) => `shop-${i}.example`)
  const bad = new Set<number>()
  for (let j = 0; j < 100; j++) {
    const at = (j * 101 + 7) % lines.length
    lines.splice(at, 0, `bad line ${j}`)
  }
  lines.forEach((l, i) => l.startsWith('bad') && bad.add(i + 1))
  const env = { DATABASE_URL: PG_URL, SKIMWATCH_DB_SCHEMA: schema }
  const started = Date.now()
  const r = await runCli(['seed', '-'], { env, input: `${lines.join('\n')}\n` })
  const ms = Date.now() - started
  expect(r.code, r.stderr).toBe(0)
  expect(r.stdout).toContain('seeded 10000 new site(s), 0 already known, 100 bad line(s) skipped')
  const reported = [...r.stderr.matchAll(/^-:(\d+): skipped "bad line \d+"/gm)].map((m) =>
    Number(m[1]),
  )
  expect(new Set(reported)).toEqual(bad)
  expect(ms).toBeLessThan(10_000)
  // a second seed of the same list merges every domain
  const again = await runCli(['seed', '-'], { env, input: `${lines.join('\n')}\n` })
  expect(again.stdout).toContain('seeded 0 new site(s), 10000 already known')
})
