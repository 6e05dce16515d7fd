// What the built-in prototypes hold, read off this realm's own prototypes (never a sample's
// value): a key outside them reads `undefined` from a primitive or a plain array, the way
// JSFuck spells "undefined" (`[][[]]`), and a key naming one of their methods is a function.

const keysOf = (...protos: object[]): ReadonlySet<string> =>
  new Set(protos.flatMap((p) => Object.getOwnPropertyNames(p)))

const methodsOf = (...protos: object[]): ReadonlySet<string> =>
  new Set(
    protos.flatMap((p) =>
      Object.getOwnPropertyNames(p).filter(
        (k) => typeof Object.getOwnPropertyDescriptor(p, k)?.value === 'function',
      ),
    ),
  )

export const OBJECT_KEYS = keysOf(Object.prototype)
export const ARRAY_KEYS = keysOf(Array.prototype, Object.prototype)
export const STRING_KEYS = keysOf(String.prototype, Object.prototype)
export const NUMBER_KEYS = keysOf(Number.prototype, Object.prototype)
export const BOOLEAN_KEYS = keysOf(Boolean.prototype, Object.prototype)

/** Methods every object has (`toString`, `hasOwnProperty`, …). */
export const OBJECT_METHODS = methodsOf(Object.prototype)
export const ARRAY_METHODS = methodsOf(Array.prototype, Object.prototype)
export const STRING_METHODS = methodsOf(String.prototype, Object.prototype)
export const FUNCTION_METHODS = methodsOf(Function.prototype, Object.prototype)

/** Global functions and constructors of a page (every one of them is a function value). */
export const GLOBAL_FUNCTIONS: ReadonlySet<string> = new Set([
  ...['Function', 'Object', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt'],
  ...['Date', 'RegExp', 'Error', 'TypeError', 'Promise', 'Map', 'Set', 'WeakMap', 'Proxy'],
  ...['eval', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'escape', 'unescape'],
  ...['encodeURI', 'encodeURIComponent', 'decodeURI', 'decodeURIComponent', 'atob', 'btoa'],
  ...['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'alert', 'fetch'],
  ...['Image', 'XMLHttpRequest', 'WebSocket', 'FormData', 'Uint8Array', 'TextDecoder'],
])

/** Static methods of the built-in namespaces and constructors: `String.fromCharCode`. */
export const STATIC_METHODS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  (
    ['String', 'Array', 'Object', 'Number', 'Math', 'JSON', 'Reflect', 'Promise', 'Date'] as const
  ).map((name) => [name, methodsOf(globalThis[name] as object)] as const),
)
