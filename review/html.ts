// Server-side HTML: every interpolated value is escaped unless it is already an Html fragment.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c)
}

/** A fragment that is already safe markup. Only `html` and `join` make one. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[]

function render(part: Part): string {
  if (part instanceof Html) return part.value
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('')
  if (part === null || part === undefined || part === false) return ''
  return escapeHtml(String(part))
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? ''
  parts.forEach((p, i) => {
    out += render(p) + (strings[i + 1] ?? '')
  })
  return new Html(out)
}
