// Routes of sharing: operators manage partners; analysts set the TLP of a confirmed indicator.
import type { FastifyInstance } from 'fastify'
import type { Store } from '../../store/index.ts'
import { object, parseOrThrow, positiveId, regex, string } from '../input.ts'
import { addPartner, listPartners } from '../share/partners.ts'
import { relabel, type Sharing } from '../share/sharing.ts'
import { tlpField } from '../share/tlp.ts'
import { partnersPage } from '../views/partners.ts'
import { ctxOf } from './pages.ts'

const idParam = object({ id: positiveId() })
const shaParam = object({
  sha256: string().check(regex(/^[0-9a-f]{64}$/i, 'a sha256 is 64 hex digits')),
})
const tlpBody = object({ tlp: tlpField() })

export function partnerRoutes(store: Store, sharing: Sharing) {
  return async (app: FastifyInstance) => {
    const operate = { config: { access: 'operate' as const } }
    const decide = { config: { access: 'decide' as const } }
    const html = 'text/html; charset=utf-8'

    const revoke = async (id: number) => store.review.revokePartner(id)
    app.get('/api/partners', operate, async () => listPartners(store))
    app.post('/api/partners', operate, async (req, reply) =>
      reply.code(201).send(await addPartner(store, req.body)),
    )
    app.post('/api/partners/:id/revoke', operate, async (req, reply) => {
      const { id } = parseOrThrow(idParam, req.params)
      return (await revoke(id))
        ? { revoked: id }
        : reply.code(404).send({ error: `no active partner ${id}` })
    })
    app.get('/partners', operate, async (req, reply) =>
      reply.type(html).send(partnersPage(ctxOf(req), await listPartners(store))),
    )
    app.post('/partners', operate, async (req, reply) => {
      const added = await addPartner(store, req.body)
      return reply.type(html).send(partnersPage(ctxOf(req), await listPartners(store), added))
    })
    app.post('/partners/:id/revoke', operate, async (req, reply) => {
      await revoke(parseOrThrow(idParam, req.params).id)
      return reply.redirect('/partners', 303)
    })

    const setTlp = async (params: unknown, body: unknown) => {
      const { sha256 } = parseOrThrow(shaParam, params)
      return relabel(store, sharing, { sha256, tlp: parseOrThrow(tlpBody, body).tlp })
    }
    app.post(
      '/api/indicators/:sha256/tlp',
      decide,
      async (req, reply) =>
        (await setTlp(req.params, req.body)) ??
        reply.code(404).send({ error: 'this script was never confirmed' }),
    )
    app.post('/indicators/:sha256/tlp', decide, async (req, reply) => {
      const share = await setTlp(req.params, req.body)
      if (!share)
        throw Object.assign(new Error('this script was never confirmed'), { statusCode: 404 })
      return reply.redirect(`/scripts/${share.sha256}`, 303)
    })
  }
}
