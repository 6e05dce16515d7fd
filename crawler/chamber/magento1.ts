// What a Magento 1 checkout page carries besides its markup: Prototype (the part of its API that
// checkout code and the skimmers written for these shops use), the `Mage.Cookies` helper, and
// opcheckout.js's step objects (`checkout`, `payment`, `review`) whose save() posts each step
// with Ajax.Request. Magento 1.9 loads jQuery after Prototype with jQuery.noConflict(): on these
// pages `$` is Prototype's and jQuery is `jQuery`.
//
// Served to the chamber's browser as page script only; written for the chamber, not copied from
// Prototype: the behaviour follows its documented API.

export const PROTOTYPE = `(function () {
  var slice = Array.prototype.slice;
  function extend(to, from) { for (var k in from) to[k] = from[k]; return to; }
  function toQueryString(o) {
    var out = [];
    for (var k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      var v = o[k];
      (Array.isArray(v) ? v : [v]).forEach(function (x) {
        if (x !== undefined && x !== null) out.push(encodeURIComponent(k) + '=' + encodeURIComponent(String(x)));
      });
    }
    return out.join('&');
  }
  window.Prototype = { Version: '1.7', emptyFunction: function () {}, K: function (x) { return x; } };
  extend(Object, {
    extend: extend,
    toQueryString: toQueryString,
    isArray: Array.isArray,
    isString: function (x) { return typeof x === 'string'; },
    isFunction: function (x) { return typeof x === 'function'; },
    isUndefined: function (x) { return x === undefined; },
    isElement: function (x) { return !!(x && x.nodeType === 1); }
  });
  window.Class = {
    create: function () {
      var parent = typeof arguments[0] === 'function' ? arguments[0] : null;
      var bodies = slice.call(arguments, parent ? 1 : 0);
      var klass = function () { this.initialize.apply(this, arguments); };
      if (parent) { var F = function () {}; F.prototype = parent.prototype; klass.prototype = new F(); }
      bodies.forEach(function (b) { extend(klass.prototype, b); });
      if (!klass.prototype.initialize) klass.prototype.initialize = function () {};
      klass.prototype.constructor = klass;
      return klass;
    }
  };
  extend(Function.prototype, {
    bindAsEventListener: function (ctx) {
      var f = this, args = slice.call(arguments, 1);
      return function (e) { return f.apply(ctx, [e || window.event].concat(args)); };
    },
    wrap: function (wrapper) {
      var f = this;
      return function () { return wrapper.apply(this, [f.bind(this)].concat(slice.call(arguments))); };
    },
    curry: function () {
      var f = this, args = slice.call(arguments);
      return function () { return f.apply(this, args.concat(slice.call(arguments))); };
    },
    delay: function (s) {
      var f = this, args = slice.call(arguments, 1);
      return setTimeout(function () { f.apply(f, args); }, s * 1000);
    },
    defer: function () {
      var f = this, args = slice.call(arguments);
      return setTimeout(function () { f.apply(f, args); }, 10);
    }
  });
  extend(Array.prototype, {
    each: function (fn, ctx) { this.forEach(fn, ctx); return this; },
    collect: Array.prototype.map,
    invoke: function (m) { var a = slice.call(arguments, 1); return this.map(function (x) { return x[m].apply(x, a); }); },
    pluck: function (p) { return this.map(function (x) { return x[p]; }); },
    first: function () { return this[0]; },
    last: function () { return this[this.length - 1]; },
    compact: function () { return this.filter(function (x) { return x != null; }); },
    without: function () { var a = slice.call(arguments); return this.filter(function (x) { return a.indexOf(x) < 0; }); }
  });
  extend(String.prototype, {
    strip: function () { return this.trim(); },
    include: function (s) { return this.indexOf(s) > -1; },
    blank: function () { return /^\\s*$/.test(this); },
    empty: function () { return this == ''; },
    toQueryParams: function () {
      var o = {};
      this.replace(/^.*\\?/, '').split('&').forEach(function (p) {
        if (!p) return;
        var i = p.indexOf('=');
        o[decodeURIComponent(i < 0 ? p : p.slice(0, i))] = i < 0 ? undefined : decodeURIComponent(p.slice(i + 1));
      });
      return o;
    }
  });
  function value(el) {
    if (!el) return null;
    var tag = el.tagName.toLowerCase();
    if (tag === 'select') return el.multiple ? slice.call(el.options).filter(function (o) { return o.selected; }).map(function (o) { return o.value; }) : el.value;
    if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return null;
    return el.value;
  }
  var $ = window.$ = function (el) { return typeof el === 'string' ? document.getElementById(el) : el; };
  window.$$ = function () { return slice.call(document.querySelectorAll(slice.call(arguments).join(', '))); };
  window.$A = function (x) { return x ? slice.call(x) : []; };
  window.$H = function (o) { o = o || {}; return { toQueryString: function () { return toQueryString(o); }, toObject: function () { return o; }, get: function (k) { return o[k]; }, set: function (k, v) { o[k] = v; return v; }, keys: function () { return Object.keys(o); }, each: function (fn) { Object.keys(o).forEach(function (k) { fn({ key: k, value: o[k] }); }); } }; };
  window.$F = function (el) { return value($(el)); };
  var Form = window.Form = {
    getElements: function (form) { return slice.call($(form).querySelectorAll('input, select, textarea')); },
    serializeElements: function (els, hash) {
      var o = {};
      els.forEach(function (el) {
        var v = value(el);
        if (!el.name || el.disabled || v === null) return;
        if (el.name in o) o[el.name] = [].concat(o[el.name], v); else o[el.name] = v;
      });
      return hash ? o : toQueryString(o);
    },
    serialize: function (form, hash) { return Form.serializeElements(Form.getElements(form), hash); }
  };
  Form.Element = { getValue: value, serialize: function (el) { var o = {}; o[$(el).name] = value($(el)); return toQueryString(o); } };
  window.Field = Form.Element;
  var Event = window.Event;
  extend(Event, {
    observe: function (el, name, fn) { el = $(el); el.addEventListener(name === 'dom:loaded' ? 'DOMContentLoaded' : name, fn, false); return el; },
    stopObserving: function (el, name, fn) { $(el).removeEventListener(name, fn, false); },
    element: function (e) { return e.target; },
    findElement: function (e, sel) { var t = e.target; return (sel && t.closest ? t.closest(sel) : t) || document; },
    stop: function (e) { e.preventDefault(); e.stopPropagation(); },
    pointerX: function (e) { return e.pageX; },
    pointerY: function (e) { return e.pageY; }
  });
  document.observe = function (name, fn) { return Event.observe(document, name, fn); };
  extend(HTMLElement.prototype, {
    observe: function (name, fn) { return Event.observe(this, name, fn); },
    up: function (sel) { return sel ? this.parentElement && this.parentElement.closest(sel) : this.parentElement; },
    down: function (sel) { return sel ? this.querySelector(sel) : this.firstElementChild; },
    select: function () { return slice.call(this.querySelectorAll(slice.call(arguments).join(', '))); },
    visible: function () { return this.style.display !== 'none'; },
    show: function () { this.style.display = ''; return this; },
    hide: function () { this.style.display = 'none'; return this; },
    hasClassName: function (c) { return this.classList.contains(c); },
    addClassName: function (c) { this.classList.add(c); return this; },
    removeClassName: function (c) { this.classList.remove(c); return this; },
    readAttribute: function (n) { return this.getAttribute(n); },
    writeAttribute: function (n, v) { this.setAttribute(n, v); return this; },
    identify: function () { return this.id || (this.id = 'anonymous_element_' + Math.floor(Math.random() * 1e6)); },
    getValue: function () { return value(this); },
    setValue: function (v) { this.value = v; return this; },
    update: function (html) { this.innerHTML = html == null ? '' : html; return this; },
    insert: function (html) { this.insertAdjacentHTML('beforeend', typeof html === 'string' ? html : ''); return this; }
  });
  HTMLFormElement.prototype.serialize = function (hash) { return Form.serialize(this, hash); };
  HTMLFormElement.prototype.getElements = function () { return Form.getElements(this); };
  function request(url, o, done) {
    o = o || {};
    var method = (o.method || 'post').toUpperCase();
    var params = typeof o.parameters === 'string' ? o.parameters : toQueryString(o.parameters || {});
    if (method === 'GET' && params) url += (url.indexOf('?') < 0 ? '?' : '&') + params;
    var x = new XMLHttpRequest();
    x.open(method, url, o.asynchronous !== false);
    if (method === 'POST') x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');
    var self = this;
    x.onreadystatechange = function () {
      if (x.readyState !== 4) return;
      var ok = x.status >= 200 && x.status < 300;
      try {
        if (done) done(x);
        if (ok && o.onSuccess) o.onSuccess(x);
        if (!ok && o.onFailure) o.onFailure(x);
        if (o.onComplete) o.onComplete(x);
      } catch (e) { if (o.onException) o.onException(self, e); }
    };
    x.send(method === 'POST' ? params : null);
    this.transport = x;
  }
  window.Ajax = {
    Request: Class.create({ initialize: function (url, o) { request.call(this, url, o); } }),
    Updater: Class.create({ initialize: function (el, url, o) { request.call(this, url, o, function (x) { var t = $(el); if (t) t.innerHTML = x.responseText; }); } }),
    Responders: { register: function () {}, unregister: function () {} },
    activeRequestCount: 0
  };
  window.Mage = window.Mage || {};
  Mage.Cookies = {
    get: function (n) { var m = document.cookie.match(new RegExp('(?:^|; )' + n.replace(/[.*+?^\${}()|[\\]\\\\]/g, '\\\\$&') + '=([^;]*)')); return m ? decodeURIComponent(m[1]) : null; },
    set: function (n, v, expires) { document.cookie = n + '=' + encodeURIComponent(v) + '; path=/' + (expires ? '; expires=' + expires.toUTCString() : ''); },
    clear: function (n) { document.cookie = n + '=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT'; }
  };
})();
`

/** opcheckout.js's step objects, as a one-page checkout page sets them up. */
export const OPCHECKOUT = `var Checkout = Class.create({
  initialize: function (accordion, urls) { this.accordion = accordion; this.urls = urls; this.loadWaiting = false; },
  setLoadWaiting: function (step) { this.loadWaiting = step; },
  gotoSection: function () {}
});
var Payment = Class.create({
  initialize: function (form, saveUrl) { this.form = form; this.saveUrl = saveUrl; },
  validate: function () { return true; },
  save: function () {
    if (!this.validate()) return;
    checkout.setLoadWaiting('payment');
    new Ajax.Request(this.saveUrl, { method: 'post', parameters: Form.serialize(this.form), onComplete: function () { checkout.setLoadWaiting(false); } });
  }
});
var Review = Class.create({
  initialize: function (saveUrl, successUrl, agreementsForm) { this.saveUrl = saveUrl; this.successUrl = successUrl; },
  save: function () {
    var params = Form.serialize(payment.form);
    new Ajax.Request(this.saveUrl, { method: 'post', parameters: params });
  }
});
var checkout = new Checkout(null, {
  progress: '/checkout/onepage/progress/',
  review: '/checkout/onepage/review/',
  saveMethod: '/checkout/onepage/saveMethod/',
  failure: '/checkout/cart/',
  payment: '/checkout/onepage/savePayment/'
});
var payment = new Payment('co-payment-form', '/checkout/onepage/savePayment/');
var review = new Review('/checkout/onepage/saveOrder/', '/checkout/onepage/success/');
// the steps' buttons (onclick="payment.save()" and "review.save()" in Magento's templates;
// bound here, so that no handler text of ours is compiled on the page)
document.observe('click', function (e) {
  if (Event.findElement(e, '#payment-buttons-container button') !== document) payment.save();
  if (Event.findElement(e, '#review-buttons-container button') !== document) { Event.stop(e); review.save(); }
});
`
