// One-click unsubscribe (RFC 8058) for shop owners: the token in the link is the only credential.
// GET shows a button and changes nothing (mail scanners open links); POST suppresses the address.
import type { FastifyInstance } from 'fastify'
import type { Store } from '../../store/index.ts'
import { html } from '../html.ts'
import { layout } from '../views/layout.ts'

const TOKEN = /^[\w-]{16,64}$/

export function unsubscribeRoutes(store: Store) {
  return async (app: FastifyInstance) => {
    const page = (title: string, body: ReturnType<typeof html>) => layout(null, title, body)
    const limit = { rateLimit: { max: 30, timeWindow: 60_000 } }
    // RFC 8058 allows a multipart body too; its content (List-Unsubscribe=One-Click) is not needed
    app.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'string', bodyLimit: 4096 },
      (_req, body, done) => done(null, body),
    )

    app.get<{ Params: { token: string } }>(
      '/unsubscribe/:token',
      { config: { access: 'public', ...limit } },
      async (req, reply) => {
        const { token } = req.params
        if (!TOKEN.test(token)) return reply.code(404).type('text/html').send(unknown())
        return reply.type('text/html').send(
          page(
            'Unsubscribe',
            html`<p>Stop all email from skimwatch to this address?</p>
              <form method="post" action="/unsubscribe/${token}">
                <input type="hidden" name="List-Unsubscribe" value="One-Click" />
                <button type="submit">Unsubscribe</button>
              </form>`,
          ),
        )
      },
    )

    app.post<{ Params: { token: string } }>(
      '/unsubscribe/:token',
      { config: { access: 'public', ...limit } },
      async (req, reply) => {
        const { token } = req.params
        const addresses = TOKEN.test(token) ? await store.unsubscribe(token) : null
        if (!addresses) return reply.code(404).type('text/html').send(unknown())
        return reply
          .type('text/html')
          .send(
            page(
              'Unsubscribed',
              html`<p>Done: skimwatch will not write to ${addresses.join(', ')} again.</p>`,
            ),
          )
      },
    )

    const unknown = () =>
      page('Unsubscribe', html`<p class="error">This unsubscribe link is not known.</p>`)
  }
}
