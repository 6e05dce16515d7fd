// Log in and out. Login is the one public form: a double-submit cookie guards it against CSRF.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  LOGIN_CSRF_COOKIE,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  cookieOptions,
  startSession,
} from '../auth.ts'
import { maxLength, minLength } from 'zod/mini'
import { html } from '../html.ts'
import { object, string } from '../input.ts'
import { DUMMY_HASH, newSecret, sameSecret, sha256Hex, verifyPassword } from '../password.ts'
import { layout } from '../views/layout.ts'
import type { ReviewOptions } from '../app.ts'

const short = (max: number) => string().check(minLength(1), maxLength(max))
const loginForm = object({
  name: short(200),
  password: short(1000),
  _csrf: string().check(minLength(1)),
})

function loginPage(token: string, error?: string): string {
  return layout(
    null,
    'Log in',
    html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
      <form class="login" method="post" action="/login">
        <input type="hidden" name="_csrf" value="${token}" />
        <label>Name <input name="name" autocomplete="username" required /></label>
        <label
          >Password <input type="password" name="password" autocomplete="current-password" required
        /></label>
        <button type="submit">Log in</button>
      </form>`,
  )
}

export function loginRoutes(opts: ReviewOptions) {
  const { store, secureCookies } = opts
  return async (app: FastifyInstance) => {
    // one token per browser until login: a second tab (or a favicon redirected here) keeps it valid
    const formToken = (req: FastifyRequest, reply: FastifyReply) => {
      const existing = req.cookies[LOGIN_CSRF_COOKIE]
      if (existing && /^[\w-]{43}$/.test(existing)) return existing
      const token = newSecret()
      reply.setCookie(LOGIN_CSRF_COOKIE, token, cookieOptions(secureCookies, 3600))
      return token
    }

    app.get('/login', { config: { access: 'public' } }, async (req, reply) =>
      reply.type('text/html').send(loginPage(formToken(req, reply))),
    )

    app.post(
      '/login',
      {
        config: {
          access: 'public',
          rateLimit: { max: opts.loginAttemptsPerMinute ?? 10, timeWindow: 60_000 },
        },
      },
      async (req, reply) => {
        const form = loginForm.safeParse(req.body)
        const cookie = req.cookies[LOGIN_CSRF_COOKIE]
        if (!form.success || !cookie || !sameSecret(form.data._csrf, cookie)) {
          return reply
            .code(403)
            .type('text/html')
            .send(loginPage(formToken(req, reply), 'The form expired: try again.'))
        }
        const user = await store.review.findUserByName(form.data.name)
        // verify against a dummy hash for unknown names, so timing does not reveal who exists
        const ok = await verifyPassword(form.data.password, user?.passwordHash ?? DUMMY_HASH)
        if (!user || !ok) {
          return reply
            .code(401)
            .type('text/html')
            .send(loginPage(formToken(req, reply), 'Wrong name or password.'))
        }
        const sid = await startSession(store.review, user.id)
        reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/' })
        reply.setCookie(SESSION_COOKIE, sid, cookieOptions(secureCookies, SESSION_TTL_SECONDS))
        return reply.redirect('/', 303)
      },
    )

    app.post('/logout', { config: { access: 'view' } }, async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE]
      if (sid) await store.review.deleteSession(sha256Hex(sid))
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.redirect('/login', 303)
    })
  }
}
