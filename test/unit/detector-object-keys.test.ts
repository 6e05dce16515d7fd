import JavaScriptObfuscator from 'javascript-obfuscator'
import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { storageEdits } from '../../detector/deobfuscate/control-flow-storage.ts'
import { looksLikeDecoder } from '../../detector/deobfuscate/obfuscator.ts'
import { callControllerEdits } from '../../detector/deobfuscate/call-controllers.ts'
import { literalMemberEdits, objectKeyEdits } from '../../detector/deobfuscate/object-keys.ts'
import { splice } from '../../detector/deobfuscate/splice.ts'
import { analyseScopes, lookup } from '../../detector/deobfuscate/string-array-scope.ts'
import { parseStrict } from '../../detector/parse.ts'
import { preset } from '../../fixtures/samples/dress.ts'
import { loadSamples } from '../../fixtures/samples/load.ts'
import { walkFull } from '../../detector/walk.ts'

// What javascript-obfuscator's preset levels add to a string array: storage objects built key by
// key (transformObjectKeys), strings split into pieces, decoder offsets written as arithmetic
// (numbersToExpressions), and console silencing that re-parents bound functions.

const rewrite = (source: string, edits: typeof objectKeyEdits): string => {
  const found = edits(parseStrict(source) as never, source)
  return found ? splice(source, found).text : source
}

describe('objects built key by key', () => {
  it('are written back as one literal, past hoisted function declarations', () => {
    const out = rewrite(
      `function f(){var o={};o['u']='https://a'+'.example',o.add=function(a,b){return a+b};function w(){}o.k='v';var b=o;}`,
      objectKeyEdits,
    )
    expect(out).toContain(
      `var o={'u':'https://a'+'.example','add':function(a,b){return a+b},'k':'v'}`,
    )
    expect(out).not.toContain(`o['u']=`)
    expect(parseStrict(out)).not.toBeNull()
  })

  it('stop at a write whose value reads the object or calls anything', () => {
    expect(rewrite(`var o={};o.a='x',o.b=o.a+'y';`, objectKeyEdits)).toBe(
      `var o={};o.a='x',o.b=o.a+'y';`,
    )
    expect(rewrite(`var o={};o.a=next();`, objectKeyEdits)).toBe(`var o={};o.a=next();`)
    const partial = rewrite(`var o={};o.a='x';o.b=f();o.c='z';`, objectKeyEdits)
    expect(partial).toBe(`var o={'a':'x'};;o.b=f();o.c='z';`)
  })
})

describe('storage objects', () => {
  it('are read through a second name and with strings split into pieces', () => {
    const source = `var s={'u':'https://re'+'lay.example/c','j':function(a,b){return a+b},'n':x.y};var t=s;fetch(t.u,t.j(1,2),t.n)`
    const out = rewrite(source, storageEdits)
    expect(out).toContain(`fetch('https://relay.example/c',1+2,t.n)`)
  })

  it('inline helpers that still hold the wrappers the string-array pass left unused', () => {
    const source = `var s={'j':function(a,b){function w(x,y){return z(x-1,y)}var v=w;return a+b}};send(s.j(p,'/c'))`
    expect(rewrite(source, storageEdits)).toContain(`send(p+'/c')`)
  })

  it('forget an entry written again with a value they cannot read, and names that escape', () => {
    const twice = `var s={'u':'https://www.google-analytics.com/collect','u':atob(x)};fetch(s.u)`
    expect(rewrite(twice, storageEdits)).toContain('fetch(s.u)')
    const handed = `var s={'u':'https://relay.example/c'};setup(s);fetch(s.u)`
    expect(rewrite(handed, storageEdits)).toContain('fetch(s.u)')
    const viaAlias = `var s={'u':'https://relay.example/c'};var t=s;t.u=x;fetch(s.u)`
    expect(rewrite(viaAlias, storageEdits)).toContain('fetch(s.u)')
  })

  it('are not read through a second name that is written again', () => {
    const source = `var s={'u':'https://relay.example/c'};var t=s;t=other;fetch(t.u)`
    expect(rewrite(source, storageEdits)).toContain('fetch(t.u)')
  })
})

describe('the decoder head', () => {
  const decoderOf = (source: string) => {
    let found = false
    walkFull(parseStrict(source) as never, (n) => {
      if (n.type === 'FunctionDeclaration') found ||= looksLikeDecoder(n as never)
    })
    return found
  }

  it('takes an index offset written as arithmetic on literals', () => {
    expect(
      decoderOf(`function d(i,k){i=i-(0x62b*-0x1+-0x195d+0x78*0x45);var a=arr();return a[i]}`),
    ).toBe(true)
    expect(decoderOf(`function d(i,k){i=i-0x1a5;var a=arr();return a[i]}`)).toBe(true)
    expect(decoderOf(`function d(i,k){i=i-k;var a=arr();return a[i]}`)).toBe(false)
  })
})

describe('the decoding a decoder does', () => {
  const encodingOf = (decoder: string): unknown => {
    const source = `function arr(){var a=['x'];arr=function(){return a};return arr()}${decoder}`
    const ast = parseStrict(source) as never
    const def = lookup('dec', analyseScopes(ast, source).scopeOf.get(ast))?.[0]
    return def?.kind === 'decoder' ? def.encoding : def?.kind
  }
  const base64 = `var t='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';return decodeURIComponent(s)`

  it('is base64 when 0x100 is only a term of an arithmetic offset', () => {
    expect(
      encodingOf(`function dec(i,k){i=i-(-0x21*0x100+0x2200);var a=arr();var s=a[i];${base64}}`),
    ).toBe('base64')
  })

  it('is rc4 when codes are XORed with a cipher stream, however 256 is written', () => {
    const rc4 = `function dec(i,k){i=i-(0x1*0x5);var a=arr();var s=a[i];var o='';for(var j=0;j<s.length;j++)o+=String.fromCharCode(s['charCodeAt'](j)^k.length);${base64}}`
    expect(encodingOf(rc4)).toBe('rc4')
  })
})

describe('members named by a literal', () => {
  it('are written with a dot, parenthesised keys and optional chains included', () => {
    const out = rewrite(
      `new Ajax[('Request')](u);h['send'](x);o?.['k'];a['not-a-name'];b[k]`,
      literalMemberEdits,
    )
    expect(out).toBe(`new Ajax.Request(u);h.send(x);o?.k;a['not-a-name'];b[k]`)
  })

  it('keep the bracket after a number, where a dot would not parse', () => {
    expect(rewrite(`x=1['toString'];y=0x1['valueOf']`, literalMemberEdits)).toBe(
      `x=1['toString'];y=0x1['valueOf']`,
    )
  })
})

describe('call-controlled guards', () => {
  it('move out of the function they were put in, their text kept at the end', () => {
    const source = `var once=(function(){var f=!![];return function(c,g){var r=f?function(){if(g){var x=g.apply(c,arguments);g=null;return x}}:function(){};f=![];return r}}());
function dec(h,k){var a=1,y=once(this,function(){console.log=function(){}});y();var o='';for(var i=0;i<h.length;i++)o+=String.fromCharCode(h.charCodeAt(i)^k);return o}`
    const out = rewrite(source, callControllerEdits)
    expect(out).toContain('var a=1,y=0;;var o=')
    expect(out).toMatch(
      /\n;var y=once\(this,function\(\)\{console\.log=function\(\)\{\}\}\);y\(\);$/,
    )
    expect(parseStrict(out)).not.toBeNull()
  })

  it('leave a guard that reads the function it is in, or a pair whose name is used again', () => {
    const once = `var once=(function(){var f=!![];return function(c,g){var r=f?function(){if(g){var x=g.apply(c,arguments);g=null;return x}}:function(){};f=![];return r}}());`
    const capturing = `${once}function grab(){var num=read();var y=once(this,function(){send(num)});y();}`
    expect(rewrite(capturing, callControllerEdits)).toBe(capturing)
    const reused = `${once}function grab(){var y=once(this,function(){send(1)});y();return y}`
    expect(rewrite(reused, callControllerEdits)).toBe(reused)
    const notController = `var run=function(c,g){return g};function grab(){var y=run(this,function(){send(1)});y();}`
    expect(rewrite(notController, callControllerEdits)).toBe(notController)
  })

  it('leave a once-run call that is not the bare next statement alone', () => {
    const source = `function f(){var y=once(this,function(){});return y}`
    expect(rewrite(source, callControllerEdits)).toBe(source)
  })
})

describe("javascript-obfuscator's preset levels", () => {
  // a hidden-iframe form post; the medium and high presets add every transform above
  const sample = loadSamples().find((x) => x.name === 'malicious/dynamic-form-post.js')

  it.each(['low-obfuscation', 'medium-obfuscation', 'high-obfuscation'] as const)(
    'leave a form-posting skimmer malicious (%s)',
    (preset) => {
      if (!sample) throw new Error('sample missing')
      const out = JavaScriptObfuscator.obfuscate(sample.source, {
        optionsPreset: preset,
        seed: 5,
      }).getObfuscatedCode()
      // the low preset leaves strings as written, only moved into the array
      if (preset !== 'low-obfuscation') expect(out).not.toContain('cc_number')
      const v = analyzeScript(out, sample.expected.ctx ?? {})
      expect(v.verdict).toBe('malicious')
      expect(v.findings.map((f) => f.rule)).toContain('card-field-read-and-send')
    },
  )

  it('read a function whose once-run guard flattening kept apart from its call', () => {
    // the guard and its call sit in two cases of a flattened switch until the evaluator orders them
    const client = loadSamples().find((x) => x.name === 'malicious/http-client-put-json.js')
    if (!client) throw new Error('sample missing')
    const out = preset(client.source, 'medium')
    expect(analyzeScript(out, client.expected.ctx ?? {}).verdict).toBe('malicious')
  })
})
