// Routes of accounts: the user's own API tokens, the admins' user list.
import type { FastifyInstance } from 'fastify'
import type { Store } from '../../store/index.ts'
import { addToken, addUser, publicUser } from '../accounts.ts'
import { accountPage, usersPage } from '../views/accounts.ts'
import { ctxOf } from './pages.ts'

export function accountRoutes(store: Store) {
  return async (app: FastifyInstance) => {
    const view = { config: { access: 'view' as const } }
    const admin = { config: { access: 'admin' as const } }
    const html = 'text/html; charset=utf-8'

    app.post('/api/tokens', view, async (req, reply) =>
      reply.code(201).send(await addToken(store, ctxOf(req).user, req.body)),
    )
    app.get('/api/users', admin, async () => (await store.review.listUsers()).map(publicUser))
    app.post('/api/users', admin, async (req, reply) =>
      reply.code(201).send(await addUser(store, req.body)),
    )

    app.get('/account', view, async (req, reply) => reply.type(html).send(accountPage(ctxOf(req))))
    app.post('/account/tokens', view, async (req, reply) =>
      reply
        .type(html)
        .send(accountPage(ctxOf(req), await addToken(store, ctxOf(req).user, req.body))),
    )
    app.get('/admin/users', admin, async (req, reply) =>
      reply.type(html).send(usersPage(ctxOf(req), await store.review.listUsers())),
    )
    app.post('/admin/users', admin, async (req, reply) => {
      const u = await addUser(store, req.body)
      const message = `${u.created ? 'Added' : 'Updated'} ${u.role} ${u.name}.`
      return reply.type(html).send(usersPage(ctxOf(req), await store.review.listUsers(), message))
    })
  }
}
