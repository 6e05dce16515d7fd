// Who is asking (session cookie or API token), what their role may do, and CSRF on every change.
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import type { PartnerRecord, ReviewStore, Role, UserRecord } from '../store/index.ts'
import { newSecret, sameSecret, sha256Hex } from './password.ts'

/**
 * What a route needs: `public` (login, stylesheet), a permission some roles hold, or `partner`:
 * a partner's bearer token (the TAXII server), which no user account holds.
 */
export type Access = 'public' | 'view' | 'decide' | 'operate' | 'admin' | 'partner'

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    csp?: 'scripts'
  }
  interface FastifyRequest {
    user: UserRecord | null
    /** the session's CSRF token; null for API-token requests, which carry no ambient cookie */
    csrfToken: string | null
    /** the partner whose token came with a `partner` route's request */
    partner: PartnerRecord | null
  }
}

const GRANTS: Record<Role, Access[]> = {
  analyst: ['view', 'decide'],
  operator: ['view', 'operate'],
  admin: ['view', 'decide', 'operate', 'admin'],
}

export const SESSION_COOKIE = 'skimwatch_session'
export const LOGIN_CSRF_COOKIE = 'skimwatch_login_csrf'
export const SESSION_TTL_SECONDS = 8 * 60 * 60
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export const may = (role: Role, access: Access): boolean =>
  access === 'public' || GRANTS[role].includes(access)

export function cookieOptions(secure: boolean, maxAge?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure,
    ...(maxAge !== undefined ? { maxAge } : {}),
  }
}

/** Starts a session; returns the cookie value (only its hash is stored). */
export async function startSession(store: ReviewStore, userId: number): Promise<string> {
  const id = newSecret()
  await store.createSession({
    idHash: sha256Hex(id),
    userId,
    csrfToken: newSecret(),
    ttlSeconds: SESSION_TTL_SECONDS,
  })
  return id
}

function isApi(req: FastifyRequest): boolean {
  return /^\/(api|taxii2)(\/|$)/.test(req.url)
}

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1'

/** A TAXII 2.1 error message. */
export function taxiiError(reply: FastifyReply, status: number, title: string) {
  return reply
    .code(status)
    .header('content-type', TAXII_MEDIA_TYPE)
    .send(Buffer.from(JSON.stringify({ title, http_status: String(status) })))
}

async function partnerAuth(store: ReviewStore, req: FastifyRequest, reply: FastifyReply) {
  const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
  req.partner = bearer ? await store.partnerForToken(sha256Hex(bearer)) : null
  if (!req.partner) {
    reply.header('www-authenticate', 'Bearer realm="skimwatch TAXII"')
    return taxiiError(reply, 401, 'a partner token is needed (Authorization: Bearer …)')
  }
}

function deny(req: FastifyRequest, reply: FastifyReply, status: 401 | 403, message: string) {
  if (status === 401 && !isApi(req) && req.method === 'GET') return reply.redirect('/login', 302)
  return reply.code(status).type('application/json').send({ error: message })
}

function submittedCsrf(req: FastifyRequest): string | undefined {
  const header = req.headers['x-csrf-token']
  if (typeof header === 'string') return header
  const body = req.body as Record<string, unknown> | null | undefined
  return body && typeof body._csrf === 'string' ? body._csrf : undefined
}

export interface RouteEntry {
  method: string
  url: string
  access: Access
}

/** Route settings for every route of a plugin registered in this context. */
export interface RouteDefaults {
  access: Access
  /** the Content-Security-Policy the routes are served with */
  csp?: 'scripts'
}

/**
 * Mounts a plugin whose routes carry no access of their own (Bull Board): each gets `defaults`,
 * so the session and role checks hold on every one of them.
 */
export async function mountWithAccess(
  app: FastifyInstance,
  plugin: FastifyPluginCallback,
  prefix: string,
  defaults: RouteDefaults,
): Promise<void> {
  await app.register(async (scoped) => {
    scoped.decorate('routeAccess', defaults)
    await scoped.register(plugin, { prefix })
  })
}

const TABLES = new WeakMap<FastifyInstance, RouteEntry[]>()

/** Every route of the app with the access it declared (tests walk it). */
export const routeTable = (app: FastifyInstance): RouteEntry[] => TABLES.get(app) ?? []

/** Refuses to register a route that does not say who may call it, and records each one. */
export function requireAccessOnEveryRoute(app: FastifyInstance): void {
  const table: RouteEntry[] = []
  TABLES.set(app, table)
  app.addHook('onRoute', function (route) {
    // a mounted plugin that knows nothing of our access levels gets its context's default
    const inherited = (this as { routeAccess?: RouteDefaults }).routeAccess
    if (inherited && !(route.config as { access?: Access } | undefined)?.access)
      route.config = { ...route.config, ...inherited }
    const access = (route.config as { access?: Access } | undefined)?.access
    if (route.method === 'HEAD') return
    if (!access) {
      throw new Error(`route ${String(route.method)} ${route.url} does not declare its access`)
    }
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access })
  })
}

/** preHandler: after the body is parsed, so a form's _csrf field can be read. */
export function authHook(store: ReviewStore) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    req.user = null
    req.csrfToken = null
    req.partner = null
    const access = req.routeOptions.config.access ?? 'admin'
    if (access === 'partner') return partnerAuth(store, req, reply)
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (bearer) {
      req.user = await store.userForApiToken(sha256Hex(bearer))
      if (!req.user) return deny(req, reply, 401, 'unknown or revoked API token')
    } else {
      const sid = req.cookies[SESSION_COOKIE]
      const session = sid ? await store.getSession(sha256Hex(sid)) : null
      if (session) {
        req.user = session.user
        req.csrfToken = session.csrfToken
      }
    }
    if (access === 'public') return
    if (!req.user) return deny(req, reply, 401, 'log in first')
    if (!may(req.user.role, access)) {
      return deny(req, reply, 403, `the ${req.user.role} role may not do this (needs ${access})`)
    }
    if (SAFE_METHODS.has(req.method) || bearer) return
    const sent = submittedCsrf(req)
    if (!req.csrfToken || !sent || !sameSecret(sent, req.csrfToken)) {
      return deny(req, reply, 403, 'missing or wrong CSRF token: reload the page and try again')
    }
  }
}
