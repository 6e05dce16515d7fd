// javascript-obfuscator's string encodings, ported from its runtime templates as pure functions.

/** The obfuscator's base64 alphabet: lowercase first, unlike RFC 4648. */
export const OBFUSCATOR_ALPHABET =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/='

/** RFC 4648's order, which older releases used (their decoders polyfill `atob`). */
export const STANDARD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='

/** `stringArrayEncoding: ['base64']`: custom-alphabet base64, then UTF-8 via %xx escapes. */
export function obfuscatorBase64(
  input: string,
  alphabet = OBFUSCATOR_ALPHABET,
  /** the decoder strips padding first (`.replace(/=+$/, '')`, older releases); current ones
   * decode a `=` as the alphabet's 65th letter */
  stripsPadding = false,
): string | undefined {
  const data = stripsPadding ? input.replace(/=+$/, '') : input
  let bytes = ''
  let bc = 0
  let bs = 0
  for (let i = 0; i < data.length; i++) {
    const idx = alphabet.indexOf(data.charAt(i))
    if (idx === -1) continue
    bc = bs % 4 ? bc * 64 + idx : idx
    if (bs++ % 4) bytes += String.fromCharCode(255 & (bc >> ((-2 * bs) & 6)))
  }
  let escaped = ''
  for (let i = 0; i < bytes.length; i++)
    escaped += '%' + ('00' + bytes.charCodeAt(i).toString(16)).slice(-2)
  try {
    return decodeURIComponent(escaped)
  } catch {
    return undefined
  }
}

/** `stringArrayEncoding: ['rc4']`: base64 as above, then RC4 with the call site's key. */
export function obfuscatorRc4(
  input: string,
  key: string,
  alphabet = OBFUSCATOR_ALPHABET,
  stripsPadding = false,
): string | undefined {
  const data = obfuscatorBase64(input, alphabet, stripsPadding)
  if (data === undefined || key.length === 0) return undefined
  const s: number[] = []
  for (let i = 0; i < 256; i++) s[i] = i
  let j = 0
  for (let i = 0; i < 256; i++) {
    j = (j + (s[i] as number) + key.charCodeAt(i % key.length)) % 256
    ;[s[i], s[j]] = [s[j] as number, s[i] as number]
  }
  let i = 0
  j = 0
  let out = ''
  for (let y = 0; y < data.length; y++) {
    i = (i + 1) % 256
    j = (j + (s[i] as number)) % 256
    ;[s[i], s[j]] = [s[j] as number, s[i] as number]
    out += String.fromCharCode(
      data.charCodeAt(y) ^ (s[((s[i] as number) + (s[j] as number)) % 256] as number),
    )
  }
  return out
}
