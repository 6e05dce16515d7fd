// The review app on a fresh PostgreSQL schema, and a logged-in client over fastify's inject.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseSeedList } from '../../cli/seed-list.ts'
import { exclusionsEditor } from '../../pipeline/exclusions.ts'
import { buildReviewApp } from '../../review/app.ts'
import type { Operations } from '../../review/operations.ts'
import type { WebhookSender } from '../../review/share/webhooks.ts'
import { openStore, type Store } from '../../store/index.ts'
import { PG_URL, dropSchema, uniqueName } from './services.ts'
import { PASSWORD, seedReview, type Seeded } from './review-seed.ts'

export interface ReviewHarness {
  app: FastifyInstance
  exclusionsFile: string
  store: Store
  seeded: Seeded
  close(): Promise<void>
}

export async function reviewHarness(
  opts: {
    secureCookies?: boolean
    loginAttemptsPerMinute?: number
    operations?: Operations
    exclusionsFile?: string
    /** the app's webhook sender, made over the harness's store */
    webhooks?: (store: Store) => WebhookSender
  } = {},
): Promise<ReviewHarness> {
  const schema = uniqueName('review')
  const scratch = await mkdtemp(path.join(tmpdir(), 'sw-review-'))
  const exclusionsFile = opts.exclusionsFile ?? path.join(scratch, 'exclusions.txt')
  const store = await openStore({ databaseUrl: PG_URL, home: '/nonexistent', schema })
  const seeded = await seedReview(store)
  const app = await buildReviewApp({
    store,
    secureCookies: opts.secureCookies ?? false,
    parseSeedList,
    // every test logs in from the same address: only the rate-limit test wants the real limit
    loginAttemptsPerMinute: opts.loginAttemptsPerMinute ?? 1000,
    exclusions: exclusionsEditor(exclusionsFile),
    ...(opts.operations ? { operations: opts.operations } : {}),
    ...(opts.webhooks ? { webhooks: opts.webhooks(store) } : {}),
  })
  return {
    app,
    exclusionsFile,
    store,
    seeded,
    close: async () => {
      await app.close()
      await store.close()
      await dropSchema(schema)
      await rm(scratch, { recursive: true, force: true })
    },
  }
}

export interface Client {
  cookie: string
  csrf: string
  get(url: string): Promise<LightMyRequestResponse>
  post(
    url: string,
    body: Record<string, unknown>,
    csrf?: string | null,
  ): Promise<LightMyRequestResponse>
}

export function cookieValue(
  setCookie: string | string[] | undefined,
  name: string,
): string | undefined {
  for (const c of [setCookie ?? []].flat()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c)
    if (m) return m[1]
  }
  return undefined
}

export async function login(
  app: FastifyInstance,
  name: string,
  password = PASSWORD,
): Promise<Client> {
  const form = await app.inject({ method: 'GET', url: '/login' })
  const pre = cookieValue(form.headers['set-cookie'], 'skimwatch_login_csrf') ?? ''
  const res = await app.inject({
    method: 'POST',
    url: '/login',
    cookies: { skimwatch_login_csrf: pre },
    payload: { name, password, _csrf: pre },
  })
  if (res.statusCode !== 303)
    throw new Error(`login as ${name} failed: ${res.statusCode} ${res.body}`)
  const cookie = cookieValue(res.headers['set-cookie'], 'skimwatch_session') ?? ''
  const me = await app.inject({
    method: 'GET',
    url: '/api/me',
    cookies: { skimwatch_session: cookie },
  })
  const csrf = (me.json() as { csrfToken: string }).csrfToken
  return {
    cookie,
    csrf,
    get: (url) => app.inject({ method: 'GET', url, cookies: { skimwatch_session: cookie } }),
    post: (url, body, token = csrf) =>
      app.inject({
        method: 'POST',
        url,
        cookies: { skimwatch_session: cookie },
        payload: token === null ? body : { ...body, _csrf: token },
      }),
  }
}
