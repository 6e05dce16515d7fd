// The page frame: navigation by role, the logout form, no script.
import type { UserRecord } from '../../store/index.ts'
import { may } from '../auth.ts'
import { html, type Html } from '../html.ts'

export interface PageContext {
  user: UserRecord
  csrfToken: string | null
}

export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}" />`
}

/** Lines of an operator's list that were refused, with their numbers. */
export const badLines = (errors: { line: number; text: string; reason: string }[]): Html =>
  html`<ul class="bad-lines">
    ${errors.map((e) => html`<li>line ${e.line}: <code>${e.text}</code> — ${e.reason}</li>`)}
  </ul>`

/** A form posting a list of domains, one a line, as the field `domains`. */
export function domainsForm(ctx: PageContext, action: string, label: string, rows: number): Html {
  return html`<form method="post" action="${action}">
    ${csrfField(ctx)}
    <label>${label}<br /><textarea name="domains" rows="${rows}" cols="80"></textarea></label>
    <button type="submit">Add</button>
  </form>`
}

export function layout(ctx: PageContext | null, title: string, body: Html): string {
  const nav = ctx
    ? html`<nav>
        <a href="/">Dashboard</a>
        <a href="/flagged">Flagged scripts</a>
        <a href="/campaigns">Campaigns</a>
        <a href="/decisions">Decisions</a>
        ${may(ctx.user.role, 'decide') ? html`<a href="/exports">Exports</a>` : ''}
        ${may(ctx.user.role, 'operate') ? html`<a href="/sites/upload">Add sites</a>` : ''}
        ${
          may(ctx.user.role, 'operate')
            ? html`<a href="/queues">Queues</a> <a href="/queues/board/">Bull Board</a>
                <a href="/schedules">Schedules</a> <a href="/exclusions">Exclusions</a>
                <a href="/partners">Partners</a>`
            : ''
        }
        ${may(ctx.user.role, 'admin') ? html`<a href="/admin/users">Users</a>` : ''}
        <a href="/account">Account</a>
        <form class="search" method="get" action="/search">
          <input
            type="search"
            name="q"
            placeholder="domain, host, sha256, rule"
            aria-label="Search"
          />
        </form>
        <form class="logout" method="post" action="/logout">
          ${csrfField(ctx)}<span>${ctx.user.name} (${ctx.user.role})</span>
          <button type="submit">Log out</button>
        </form>
      </nav>`
    : ''
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · skimwatch</title>
        <link rel="stylesheet" href="/static/review.css" />
      </head>
      <body>
        ${nav}
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `.value
}

export const verdictBadge = (v: string | null): Html =>
  html`<span class="verdict verdict-${v ?? 'none'}">${v ?? 'not judged'}</span>`

export const shortSha = (sha: string): string => `${sha.slice(0, 12)}…`

type Cell = Html | string | number | null
/** A cell with a class, for the cells tests and styles look up. */
export interface NamedCell {
  cls: string
  value: Cell
}

/** A table: one header row, then one row per item; `rowData` names the row (data-key="value"). */
export function table<T>(
  cls: string,
  headers: string[],
  items: T[],
  cells: (item: T) => (Cell | NamedCell)[],
  rowData?: (item: T) => [string, string | number],
): Html {
  const cell = (c: Cell | NamedCell) =>
    c !== null && typeof c === 'object' && 'cls' in c
      ? html`<td class="${c.cls}">${c.value}</td>`
      : html`<td>${c}</td>`
  const row = (item: T) => {
    const data = rowData?.(item)
    return data
      ? html`<tr data-${data[0]}="${data[1]}">
          ${cells(item).map(cell)}
        </tr>`
      : html`<tr>
          ${cells(item).map(cell)}
        </tr>`
  }
  return html`<table class="${cls}">
    <tr>
      ${headers.map((h) => html`<th>${h}</th>`)}
    </tr>
    ${items.map(row)}
  </table>`
}
