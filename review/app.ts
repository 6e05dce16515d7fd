// The review app: fastify with server-rendered pages and a JSON API under /api over one store.
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyInstance } from 'fastify'
import { BadInputError } from '../core/errors.ts'
import type { Store, Tlp } from '../store/index.ts'
import { authHook, mountWithAccess, requireAccessOnEveryRoute, taxiiError } from './auth.ts'
import { html } from './html.ts'
import { operationsRoutes, type Operations } from './operations.ts'
import { layout } from './views/layout.ts'
import { accountRoutes } from './routes/accounts.ts'
import { apiRoutes } from './routes/api.ts'
import { loginRoutes } from './routes/login.ts'
import { operateRoutes, type ExclusionsEditor } from './routes/operate.ts'
import { pageRoutes, type SeedParser } from './routes/pages.ts'
import { partnerRoutes } from './routes/partners.ts'
import type { Sharing } from './share/sharing.ts'
import { taxiiRoutes } from './share/taxii.ts'
import { webhookSender, type WebhookSender } from './share/webhooks.ts'
import { unsubscribeRoutes } from './routes/unsubscribe.ts'

export interface ReviewOptions {
  store: Store
  /** set the Secure flag on cookies (serving over https, or behind a TLS proxy) */
  secureCookies: boolean
  /** reads an operator's domain list (the same parser as `skimwatch seed`) */
  parseSeedList: SeedParser
  /** failed and successful login attempts allowed per client address per minute */
  loginAttemptsPerMinute?: number
  /** the queues panel, /metrics, rescans and schedules, when the app runs beside queues */
  operations?: Operations
  /** the operators' exclusion list (the file the workers read) */
  exclusions: ExclusionsEditor
  /** the TLP a confirm is shared under when the analyst chose none (config: AMBER) */
  defaultTlp?: Tlp
  /** sends partners' webhooks; by default one that also looks for owed ones every 30 s */
  webhooks?: WebhookSender
}

// No script at all: pages are plain HTML and forms, so nothing a captured script says can run.
export const CSP = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * Bull Board's pages only: its own scripts from this origin, and its `<base href>`; nothing
 * inline, nothing from elsewhere.
 */
export const BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export async function buildReviewApp(opts: ReviewOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 })
  requireAccessOnEveryRoute(app)
  app.decorateRequest('user', null)
  app.decorateRequest('csrfToken', null)
  app.decorateRequest('partner', null)
  const webhooks = opts.webhooks ?? webhookSender({ store: opts.store, pollMs: 30_000 })
  app.addHook('onClose', async () => webhooks.close())
  const sharing: Sharing = {
    defaultTlp: opts.defaultTlp ?? 'amber',
    deliveriesQueued: () => webhooks.kick(),
  }
  await app.register(cookie)
  await app.register(formbody)
  await app.register(rateLimit, { global: false })
  app.addHook('onSend', async (req, reply, payload) => {
    const scripts = req.routeOptions.config.csp === 'scripts'
    reply.header('content-security-policy', scripts ? BOARD_CSP : CSP)
    reply.header('x-content-type-options', 'nosniff')
    reply.header('x-frame-options', 'DENY')
    reply.header('referrer-policy', 'no-referrer')
    reply.header('cache-control', 'no-store')
    reply.header('cross-origin-opener-policy', 'same-origin')
    return payload
  })
  app.addHook('preHandler', authHook(opts.store.review))
  app.setErrorHandler((err: { statusCode?: number; message: string }, req, reply) => {
    const status =
      err instanceof BadInputError
        ? 400
        : err.statusCode && err.statusCode >= 400
          ? err.statusCode
          : 500
    const message = status >= 500 ? 'internal error' : err.message
    if (status >= 500) req.log.error(err)
    if (req.url.startsWith('/taxii2/')) return taxiiError(reply, status, message)
    if (req.url.startsWith('/api/') || !req.user) {
      return reply.code(status).type('application/json').send({ error: message })
    }
    const ctx = { user: req.user, csrfToken: req.csrfToken }
    const body = html`<p class="error" role="alert">${message}</p>
      <p><a href="/">Back to the dashboard</a></p>`
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(layout(ctx, 'Not done', body))
  })
  await app.register(loginRoutes(opts))
  await app.register(apiRoutes(opts.store, sharing, opts.parseSeedList))
  await app.register(
    pageRoutes(opts.store, sharing, opts.parseSeedList, opts.operations !== undefined),
  )
  await app.register(partnerRoutes(opts.store, sharing))
  await app.register(taxiiRoutes(opts.store))
  await app.register(accountRoutes(opts.store))
  await app.register(unsubscribeRoutes(opts.store))
  await app.register(operationsRoutes(opts.operations))
  await app.register(operateRoutes(opts.store, opts.operations, opts.exclusions))
  if (opts.operations?.board)
    await mountWithAccess(app, opts.operations.board.plugin, opts.operations.board.path, {
      access: 'operate',
      csp: 'scripts',
    })
  return app
}
