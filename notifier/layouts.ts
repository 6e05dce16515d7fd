// The owner emails' layouts, rendered by Eta. In the HTML layouts every `<%= %>` is escaped
// (there is no raw output tag in them); the text layouts get values already cut to one line.
import { Eta } from 'eta'

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`)

const NOTICE_TEXT = `<%= it.m.hello %>

<%= it.intro %>

<%= it.m.found.toUpperCase() %>
<% for (const s of it.scripts) { -%>
- <%= s.title %>: <%= s.name %>
  SHA-256: <%= s.sha256 %>
<% if (s.excerpt) { -%>
  <%= it.m.excerpt %>: <%= s.excerpt %>
<% } -%>
<% for (const f of s.findings) { -%>
  * <%= f %>
<% } -%>
<% } -%>
<% if (it.exfil.length > 0) { -%>
- <%= it.m.sentTo %>:
<% for (const e of it.exfil) { -%>
  * <%= e %>
<% } -%>
<% } -%>

<%= it.m.where.toUpperCase() %>: <%= it.where %>
<%= it.m.firstSeen.toUpperCase() %>: <%= it.firstSeen %>
<%= it.m.lastSeen.toUpperCase() %>: <%= it.lastSeen %>
<%= it.m.platform.toUpperCase() %>: <%= it.platform %>

<%= it.m.why.toUpperCase() %>
<% for (const w of it.m.whyItems) { -%>
- <%= w %>
<% } -%>

<%= it.m.whatToDo.toUpperCase() %> (<%= it.platform %>)
<% it.steps.forEach((step, i) => { -%>
<%= i + 1 %>. <%= step %>
<% }) -%>

<%= it.m.confirmTitle.toUpperCase() %>
<%= it.confirm %>

<%= it.optOut %>

<%= it.m.signature %>
`

const PAGE_HEAD = `<!doctype html>
<html lang="<%= it.lang %>"><head><meta charset="utf-8"><title><%= it.subject %></title></head><body>
<p><%= it.m.hello %></p>
`

const NOTICE_HTML = `${PAGE_HEAD}<p><%= it.intro %></p>
<h2><%= it.m.found %></h2>
<ul><% for (const s of it.scripts) { %><li><strong><%= s.title %>:</strong> <code><%= s.name %></code><br>SHA-256: <code><%= s.sha256 %></code><% if (s.excerpt) { %><br><%= it.m.excerpt %>: <code><%= s.excerpt %></code><% } %><% if (s.findings.length > 0) { %><ul><% for (const f of s.findings) { %><li><%= f %></li><% } %></ul><% } %></li><% } %><% if (it.exfil.length > 0) { %><li><%= it.m.sentTo %>:<ul><% for (const e of it.exfil) { %><li><%= e %></li><% } %></ul></li><% } %></ul>
<p><strong><%= it.m.where %>:</strong> <code><%= it.where %></code><br>
<strong><%= it.m.firstSeen %>:</strong> <%= it.firstSeen %><br>
<strong><%= it.m.lastSeen %>:</strong> <%= it.lastSeen %><br>
<strong><%= it.m.platform %>:</strong> <%= it.platform %></p>
<h2><%= it.m.why %></h2>
<ul><% for (const w of it.m.whyItems) { %><li><%= w %></li><% } %></ul>
<h2><%= it.m.whatToDo %> (<%= it.platform %>)</h2>
<ol><% for (const step of it.steps) { %><li><%= step %></li><% } %></ol>
<h2><%= it.m.confirmTitle %></h2>
<p><%= it.confirm %></p>
<p><small><%= it.optOut %></small></p>
<p><%= it.m.signature %></p>
</body></html>
`

const RESOLVED_TEXT = `<%= it.m.hello %>

<% for (const b of it.body) { -%>
<%= b %>

<% } -%>
<%= it.optOut %>

<%= it.m.signature %>
`

const RESOLVED_HTML = `${PAGE_HEAD}<% for (const b of it.body) { %><p><%= b %></p>
<% } %><p><small><%= it.optOut %></small></p>
<p><%= it.m.signature %></p>
</body></html>
`

const html = new Eta({
  autoEscape: true,
  autoTrim: false,
  escapeFunction: (v: unknown) => escapeHtml(String(v)),
})
const text = new Eta({ autoEscape: false, autoTrim: false })
html.loadTemplate('@notice', NOTICE_HTML)
html.loadTemplate('@resolved', RESOLVED_HTML)
text.loadTemplate('@notice', NOTICE_TEXT)
text.loadTemplate('@resolved', RESOLVED_TEXT)

export type Layout = 'notice' | 'resolved'

export const renderHtmlLayout = (layout: Layout, data: object): string =>
  html.render(`@${layout}`, data)
export const renderTextLayout = (layout: Layout, data: object): string =>
  text.render(`@${layout}`, data)
