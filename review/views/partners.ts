// The operators' partner list: add one (its token and webhook secret shown once), revoke one.
import { TLP_LEVELS } from '../../store/index.ts'
import { html } from '../html.ts'
import type { CreatedPartner, PublicPartner } from '../share/partners.ts'
import { csrfField, layout, table, type PageContext } from './layout.ts'

function created(c: CreatedPartner) {
  return html`<div class="result">
    <p>
      Partner <b>${c.partner.name}</b> added. Shown this once — TAXII token:
      <code class="token">${c.token}</code>
    </p>
    ${
      c.webhookSecret
        ? html`<p>Webhook secret: <code class="webhook-secret">${c.webhookSecret}</code></p>`
        : ''
    }
  </div>`
}

export function partnersPage(
  ctx: PageContext,
  partners: PublicPartner[],
  added?: CreatedPartner,
): string {
  const revoke = (p: PublicPartner) =>
    p.revokedAt
      ? `revoked ${p.revokedAt}`
      : html`<form method="post" action="/partners/${p.id}/revoke">
          ${csrfField(ctx)}<button type="submit">Revoke</button>
        </form>`
  return layout(
    ctx,
    'Partners',
    html`${added ? created(added) : ''}
      <p>TAXII 2.1 discovery: <code>/taxii2/</code>; the collection is skimwatch-indicators.</p>
      ${table('partners', ['Name', 'TLP up to', 'Webhook', 'Added', ''], partners, (p) => [
        p.name,
        `TLP:${p.tlp.toUpperCase()}`,
        p.webhookUrl ?? '—',
        p.createdAt,
        revoke(p),
      ])}
      <h2>Add a partner</h2>
      <form method="post" action="/partners">
        ${csrfField(ctx)}
        <label>Name <input name="name" required /></label>
        <label
          >Highest TLP it may receive
          <select name="tlp">
            ${TLP_LEVELS.map(
              (t) =>
                html`<option value="${t}" ${t === 'green' ? 'selected' : ''}>
                  TLP:${t.toUpperCase()}
                </option>`,
            )}
          </select></label
        >
        <label>Webhook URL (optional) <input name="webhookUrl" type="url" /></label>
        <button type="submit">Add partner</button>
      </form>`,
  )
}
