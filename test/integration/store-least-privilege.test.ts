// The store runs as an ordinary database user: no superuser, no CREATEDB, no CREATEROLE, owning
// only its schema. Migrations, writes and reads all work with that much and no more.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { openStore } from '../../store/index.ts'

// a missing server must fail this suite, never skip it
const ADMIN_URL = loadConfig().databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/test'
const ROLE = `sw_app_${process.pid}`
const SCHEMA = `sw_least_${process.pid}`

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  await asAdmin(`CREATE ROLE ${ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT`)
  await asAdmin(`CREATE SCHEMA ${SCHEMA} AUTHORIZATION ${ROLE}`)
})

afterAll(async () => {
  await asAdmin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
  await asAdmin(`DROP ROLE IF EXISTS ${ROLE}`)
})

describe('store as an unprivileged user', () => {
  it('migrates, writes and reads in its own schema', async () => {
    const url = new URL(ADMIN_URL)
    url.username = ROLE
    url.password = ''
    const store = await openStore({ databaseUrl: url.href, home: '.', schema: SCHEMA })
    try {
      expect(
        await store.addSites([{ domain: 'shop.example', url: 'https://shop.example/' }]),
      ).toEqual({
        added: 1,
        merged: 0,
      })
      expect((await store.report()).map((r) => r.domain)).toEqual(['shop.example'])
    } finally {
      await store.close()
    }
    const check = new pg.Client({ connectionString: ADMIN_URL })
    await check.connect()
    try {
      const { rows } = await check.query<{ rolsuper: boolean }>(
        'SELECT rolsuper FROM pg_roles WHERE rolname = $1',
        [ROLE],
      )
      expect(rows).toEqual([{ rolsuper: false }])
    } finally {
      await check.end()
    }
  })
})
