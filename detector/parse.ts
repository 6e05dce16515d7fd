import { parse as acornParse, type Node, type Options } from 'acorn'
import { parse as looseParse } from 'acorn-loose'

export interface Parsed {
  ast: Node
  /** true when only acorn-loose could make sense of the text */
  loose: boolean
}

const BASE: Options = {
  ecmaVersion: 'latest',
  locations: true,
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowAwaitOutsideFunction: true,
}

/** Strict parse as a script, then as a module; null when neither works. RangeError propagates. */
export function parseStrict(source: string): Node | null {
  for (const sourceType of ['script', 'module'] as const) {
    try {
      return acornParse(source, { ...BASE, sourceType })
    } catch (err) {
      if (err instanceof RangeError) throw err
    }
  }
  return null
}

/** Parse, falling back to acorn-loose for broken code. */
export function parseSource(source: string): Parsed {
  const ast = parseStrict(source)
  if (ast) return { ast, loose: false }
  return { ast: looseParse(source, { ...BASE, sourceType: 'script' }) as Node, loose: true }
}

const CSS_START =
  /^\s*(?:\/\*[\s\S]*?\*\/\s*)*(?:@(?:charset|import|media|font-face|keyframes|supports)\b|[\w.#*[\]="':>~+,\s-]+\{\s*[\w-]+\s*:[^;{}]*[;}])/
const HTML_START = /^\s*(<!doctype|<html|<head|<body|<div|<\?xml|<svg|<p[\s>]|<table|<!--)/i

/** 'binary data' when the start of the text is control codes (NUL…) or mostly invalid UTF-8. */
export function binaryReason(source: string): string | null {
  const head = source.slice(0, 4096)
  let control = 0
  let invalid = 0
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i)
    if (c < 9) control++
    // U+FFFD is what invalid UTF-8 becomes; a Latin-1 script has a few, random bytes plenty
    else if (c === 0xfffd) invalid++
  }
  const n = Math.max(head.length, 1)
  return control / n > 0.01 || (control + invalid) / n > 0.3 ? 'binary data' : null
}

/** Why the text is not JavaScript (HTML, binary, prose), or null when it may be. */
export function notJavaScriptReason(source: string, strictOk: boolean): string | null {
  const binary = binaryReason(source)
  if (binary) return binary
  if (strictOk) return null
  const head = source.slice(0, 4096)
  if (HTML_START.test(head)) return 'HTML markup'
  if (CSS_START.test(head)) return 'a CSS stylesheet'
  const punct = (head.match(/[;(){}=]/g) ?? []).length
  if (punct / Math.max(head.length, 1) < 0.005) return 'text without JavaScript syntax'
  return null
}
