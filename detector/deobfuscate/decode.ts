import type { AnyNode } from 'acorn'

// Pure decoders for the encodings skimmers use to hide strings; none of them runs sample code.

const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/

export function decodeBase64(s: string): string | undefined {
  const t = s.replace(/\s+/g, '')
  if (t.length < 4 || !B64.test(t)) return undefined
  const out = Buffer.from(t, 'base64').toString('latin1')
  return out.length > 0 ? out : undefined
}

export function decodeUnescape(s: string): string {
  return s.replace(
    /%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})/g,
    (_m, u: string | undefined, h: string) => String.fromCharCode(parseInt(u ?? h, 16)),
  )
}

export function decodeUri(s: string): string | undefined {
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

export function fromCharCodes(codes: number[]): string | undefined {
  if (codes.some((c) => !Number.isInteger(c) || c < 0 || c > 0xffff)) return undefined
  let out = ''
  for (const c of codes) out += String.fromCharCode(c)
  return out
}

/** Printable enough to be text rather than random bytes. */
export function isPrintable(s: string): boolean {
  if (s.length === 0) return false
  let bad = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || (c >= 127 && c < 160)) bad++
  }
  return bad / s.length < 0.05
}

/** Cheap pre-check before parsing a decoded string as code. */
export function mightBeCode(s: string): boolean {
  return s.length >= 8 && /[(=]/.test(s) && /[;)}]/.test(s) && isPrintable(s)
}

/** The shape of a p,a,c,k,e,d packer call: a function of four or more parameters given as many. */
export function packerShaped(call: AnyNode): boolean {
  if (call.type !== 'CallExpression') return false
  const callee = call.callee as AnyNode
  return (
    callee.type === 'FunctionExpression' && callee.params.length >= 4 && call.arguments.length >= 4
  )
}

/**
 * Unpack Dean Edwards' packer payload (p,a,c,k,e,d) statically: each base-`a` word in `p`
 * indexes the keyword list `k`.
 */
export function unpackPacker(p: string, radix: number, k: string[]): string | undefined {
  // Minifiers may inline the radix into the unpacker and leave 0 behind; 62 is the packer default.
  const a = Number.isInteger(radix) && radix >= 2 && radix <= 62 ? radix : 62
  const digits = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
  const toIndex = (w: string): number => {
    let n = 0
    for (const ch of w) {
      const d = digits.indexOf(ch)
      if (d < 0 || d >= a) return -1
      n = n * a + d
    }
    return n
  }
  return p.replace(/\b\w+\b/g, (w) => {
    const i = toIndex(w)
    const rep = i >= 0 ? k[i] : undefined
    return rep !== undefined && rep !== '' ? rep : w
  })
}
