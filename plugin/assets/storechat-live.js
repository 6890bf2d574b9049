// storechat-live.js: the browser side of storechat's WebSocket protocol
// (docs/PROTOCOL.md). Plain ES2017, no dependencies, no build step.
//
//   var live = StorechatLive.connect({ url: "/storechat/ws" }); // same origin by default
//   live.on("message", function (frame) { ... });   // frames by type; "*" for all
//   live.on("hello", function (frame, info) { if (info.reconnected) catchUp(); });
//   live.on("state", function (state) { ... });     // "connecting", "open", "closed"
//   live.send({ type: "send", conversation_id: 7, client_msg_id: StorechatLive.clientMsgId(), body: "Hi" })
//     .then(function (ack) { ... }, function (error) { ... });  // the answer with our ref, or the error frame
//   live.notify({ type: "typing", conversation_id: 7, typing: true }); // no answer expected
//
// It reconnects by itself with exponential backoff and jitter. Frames sent
// with send() wait for the connection; a `send` whose answer was lost to a
// disconnect is sent again on reconnect (the client_msg_id makes that safe).
// Frame types nobody listens to are ignored.
//
// Two things it does for every page that loads it:
//
// - A `message` frame from the other side (the store's, for a customer; a
//   customer's, for staff) is answered with a `delivered` receipt, once per
//   message, so that the writer sees the double check.
// - The host's own unread badges follow the chat live. Mark them
//
//     <span class="badge" data-storechat-unread="customer">2</span>  (a customer's unread store replies)
//     <span class="badge" data-storechat-unread="admin">5</span>     (the store's unread customer messages)
//
//   and load this script (`<script src="/storechat/assets/storechat-live.js" defer>`)
//   on the pages that show them: it connects when such an element is on the
//   page, writes the count into it ("99+" above 99), sets `hidden` at 0
//   (unless it has `data-storechat-unread-zero`: then it shows 0), and
//   fires `storechat:unread` ({ detail: { kind, count } }) on document. The
//   count comes from `hello` and the frames that move it; when a frame
//   cannot say by how much (a removal, a read receipt of an older message) it
//   is read again from `badge.json`. Routes other than the defaults: give
//   the element `data-storechat-unread-url` (the badge.json to read).
(function (global) {
  "use strict";
  if (global.StorechatLive) return;

  // The server writes its configured WebSocket path here when it serves this file.
  var DEFAULT_PATH = "/storechat/ws";
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var PING_EVERY_MS = 25000;
  var PONG_WAIT_MS = 10000;
  var ANSWER_WAIT_MS = 20000;

  function clientMsgId() {
    var c = global.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function socketUrl(url) {
    var u = new URL(url || DEFAULT_PATH, global.location.href);
    if (u.protocol === "https:") u.protocol = "wss:";
    else if (u.protocol === "http:") u.protocol = "ws:";
    return u.href;
  }

  function Live(url) {
    this.url = socketUrl(url);
    this.listeners = {};
    this.socket = null;
    this.state = "closed";
    this.user = null; // from hello
    this.hello = null;
    this.attempt = 0;
    this.everOpen = false;
    this.stopped = false;
    this.nextRef = 1;
    this.pending = {}; // ref -> { frame, resolve, reject, sent, timer }
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.deliveredUpTo = {}; // conversation id -> newest message we said we have
    this.resuming = 0; // resume frames not answered yet
    var self = this;
    global.addEventListener("online", function () { self.wake(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") self.wake();
    });
  }

  Live.prototype.on = function (type, fn) {
    (this.listeners[type] = this.listeners[type] || []).push(fn);
    var list = this.listeners[type];
    // The connection is shared by every script of the page: one that
    // subscribes after it opened still hears where it stands.
    var self = this;
    if (type === "state" && (this.state !== "closed" || this.everOpen)) {
      Promise.resolve().then(function () {
        if (list.indexOf(fn) >= 0) fn(self.state);
      });
    } else if (type === "hello" && this.hello && this.isOpen()) {
      Promise.resolve().then(function () {
        if (list.indexOf(fn) >= 0) fn(self.hello, { reconnected: false });
      });
    }
    return function off() {
      var i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  };

  Live.prototype.emit = function (type, a, b) {
    var fns = (this.listeners[type] || []).concat(type === "state" ? [] : this.listeners["*"] || []);
    fns.forEach(function (fn) {
      try {
        fn(a, b);
      } catch (e) {
        if (global.console) console.warn("storechat: a listener failed", e);
      }
    });
  };

  Live.prototype.setState = function (state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", state);
  };

  Live.prototype.isOpen = function () {
    return this.state === "open";
  };

  Live.prototype.connect = function () {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    var self = this;
    var socket;
    try {
      socket = new WebSocket(this.url);
    } catch (e) {
      return this.retry();
    }
    this.socket = socket;
    this.setState("connecting");
    socket.onmessage = function (event) {
      self.receive(event.data);
    };
    socket.onclose = function (event) {
      if (self.socket !== socket) return;
      self.socket = null;
      clearInterval(self.pingTimer);
      clearTimeout(self.pongTimer);
      self.setState("closed");
      self.lost();
      // 1008: signed out. Nobody to reconnect as; nothing will be answered.
      if (event.code === 1008) {
        self.stopped = true;
        Object.keys(self.pending).forEach(function (ref) {
          self.fail(ref, "signed_out", "You were signed out.");
        });
      }
      self.retry();
    };
    socket.onerror = function () {
      // onclose follows and schedules the retry.
    };
  };

  Live.prototype.retry = function () {
    if (this.stopped || this.retryTimer) return;
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, this.attempt));
    this.attempt += 1;
    // "Equal jitter": half of the ceiling, plus up to the other half.
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    var self = this;
    this.retryTimer = setTimeout(function () {
      self.retryTimer = null;
      self.connect();
    }, delay);
  };

  /** Back online or visible again: do not wait for the backoff. */
  Live.prototype.wake = function () {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  };

  Live.prototype.close = function () {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.socket) this.socket.close(1000, "bye");
  };

  Live.prototype.receive = function (data) {
    var frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "hello") {
      var reconnected = this.everOpen;
      this.everOpen = true;
      this.attempt = 0;
      this.hello = frame;
      this.user = frame.user || null;
      this.setState("open");
      this.startPings();
      this.flush();
      this.emit("hello", frame, { reconnected: reconnected });
      return;
    }
    if (frame.type === "pong") clearTimeout(this.pongTimer);
    if (frame.type === "message") this.delivered(frame);
    // The answer to a frame of ours (ack, done, pong, resumed, … or error) carries its ref.
    var waiting = frame.ref != null && this.pending[frame.ref];
    if (waiting) {
      delete this.pending[frame.ref];
      clearTimeout(waiting.timer);
      if (frame.type === "error") waiting.reject(frame);
      else waiting.resolve(frame);
      return;
    }
    this.emit(frame.type, frame);
  };

  Live.prototype.startPings = function () {
    var self = this;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(function () {
      if (!self.isOpen()) return;
      self.raw({ type: "ping" });
      clearTimeout(self.pongTimer);
      // No answer: the connection is dead without knowing it.
      self.pongTimer = setTimeout(function () {
        if (self.socket) self.socket.close(4000, "no pong");
      }, PONG_WAIT_MS);
    }, PING_EVERY_MS);
  };

  Live.prototype.raw = function (frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  };

  /** Sends a frame that is answered (`ack`, `done`, `pong`, …, or `error`); resolves with the answer. */
  Live.prototype.send = function (frame) {
    var self = this;
    var ref = "r" + this.nextRef++;
    var out = Object.assign({}, frame, { ref: ref });
    var answered = new Promise(function (resolve, reject) {
      var entry = { frame: out, resolve: resolve, reject: reject, sent: false, timer: null };
      self.pending[ref] = entry;
      if (self.isOpen()) self.transmit(entry);
      if (self.stopped) self.fail(ref, "disconnected", "The chat connection is closed.");
    });
    // While a resume is under way, `message` frames are replays of what was
    // missed, not news: the badges must not count them twice.
    if (frame.type === "resume") {
      this.resuming += 1;
      var settled = function () { self.resuming -= 1; };
      answered.then(settled, settled);
    }
    return answered;
  };

  Live.prototype.transmit = function (entry) {
    var self = this;
    var ref = entry.frame.ref;
    entry.sent = this.raw(entry.frame);
    clearTimeout(entry.timer);
    entry.timer = setTimeout(function () {
      self.fail(ref, "timeout", "No answer from the server.");
    }, ANSWER_WAIT_MS);
  };

  Live.prototype.fail = function (ref, code, message) {
    var entry = this.pending[ref];
    if (!entry) return;
    delete this.pending[ref];
    clearTimeout(entry.timer);
    entry.reject({ type: "error", ref: ref, code: code, message: message });
  };

  /** The connection dropped: answers to what was sent are lost. */
  Live.prototype.lost = function () {
    var self = this;
    Object.keys(this.pending).forEach(function (ref) {
      var entry = self.pending[ref];
      if (!entry.sent) return;
      // A `send` is idempotent by its client_msg_id: send it again later.
      if (entry.frame.type === "send") {
        entry.sent = false;
        clearTimeout(entry.timer);
      } else {
        self.fail(ref, "disconnected", "The connection dropped before the answer came.");
      }
    });
  };

  Live.prototype.flush = function () {
    var self = this;
    Object.keys(this.pending).forEach(function (ref) {
      var entry = self.pending[ref];
      if (!entry.sent) self.transmit(entry);
    });
  };

  /** A frame with no answer (typing, read). Dropped when not connected. */
  Live.prototype.notify = function (frame) {
    return this.isOpen() && this.raw(frame);
  };

  /** Whether `m` was written by the other side than `user` (system messages by nobody). */
  function fromOtherSide(user, m) {
    if (!user || !m || m.kind === "system" || m.sender_side === "system") return false;
    var customerWrote = m.sender_side === "customer";
    return user.side === "customer" ? !customerWrote : customerWrote;
  }

  /** A `message` frame of the other side arrived: say so, once per message. */
  Live.prototype.delivered = function (frame) {
    var c = frame.conversation;
    var m = frame.message;
    if (!c || !m || m.deleted_at || !fromOtherSide(this.user, m)) return;
    if ((this.deliveredUpTo[c.id] || 0) >= m.id) return;
    if (this.notify({ type: "delivered", conversation_id: c.id, up_to: m.id })) this.deliveredUpTo[c.id] = m.id;
  };

  // ------------------------------------------------ the host's unread badges
  var BADGE_URLS = { customer: "/dashboard/messages/badge.json", admin: "/admin/dashboard/conversation/badge.json" };
  var RESYNC_AFTER_MS = 300;

  function Badges(live) {
    this.live = live;
    this.total = null; // unknown until hello
    this.counts = {}; // conversation id -> this side's unread counter, as last seen in a frame
    this.newest = {}; // conversation id -> newest message id seen
    this.changes = 0; // bumped by every change, to notice one made while a resync was under way
    this.timer = null;
    this.fetching = false;
    var self = this;
    live.on("hello", function (frame) {
      self.counts = {};
      self.newest = {};
      self.set(typeof frame.unread === "number" ? frame.unread : null);
    });
    live.on("message", function (frame) { self.message(frame); });
    live.on("receipt", function (frame) { self.receipt(frame); });
    live.on("message_deleted", function (frame) {
      delete self.counts[frame.conversation_id];
      self.resync();
    });
    live.on("conversations_deleted", function (frame) {
      (frame.ids || []).forEach(function (id) { delete self.counts[id]; });
      self.resync();
    });
    document.addEventListener("visibilitychange", function () {
      // Back from a long time in the background: make sure.
      if (document.visibilityState === "visible" && live.isOpen()) self.resync(true);
    });
  }

  /** "customer" or "admin": which badges this person has; null for vendors. */
  Badges.prototype.kind = function () {
    var side = this.live.user && this.live.user.side;
    return side === "customer" ? "customer" : side === "staff" ? "admin" : null;
  };

  Badges.prototype.elements = function () {
    var kind = this.kind();
    return kind ? document.querySelectorAll('[data-storechat-unread="' + kind + '"]') : [];
  };

  Badges.prototype.counterOf = function (c) {
    return this.kind() === "customer" ? c.unread_for_user : c.unread_for_admin;
  };

  Badges.prototype.set = function (total) {
    this.changes += 1;
    this.total = total;
    this.render();
  };

  Badges.prototype.add = function (delta) {
    if (this.total == null || !delta) return;
    this.set(Math.max(0, this.total + delta));
  };

  Badges.prototype.render = function () {
    var n = this.total;
    var kind = this.kind();
    if (n == null || !kind) return;
    var text = n > 99 ? "99+" : String(n);
    Array.prototype.forEach.call(this.elements(), function (badge) {
      badge.textContent = text;
      badge.hidden = n <= 0 && !badge.hasAttribute("data-storechat-unread-zero");
      badge.setAttribute("data-storechat-unread-count", String(n));
    });
    var event;
    try {
      event = new CustomEvent("storechat:unread", { detail: { kind: kind, count: n } });
    } catch (e) {
      return;
    }
    document.dispatchEvent(event);
  };

  Badges.prototype.message = function (frame) {
    var c = frame.conversation;
    var m = frame.message;
    if (!c || !m || typeof this.counterOf(c) !== "number") return;
    var now = this.counterOf(c);
    this.newest[c.id] = Math.max(this.newest[c.id] || 0, m.id);
    var before = this.counts[c.id];
    this.counts[c.id] = now;
    // Replayed by a resume: hello counted it already.
    if (this.live.resuming > 0) return this.resync();
    if (before === undefined) {
      // A new message of the other side moved the counter by one; a system
      // line moves nothing. Our own side's message set it to 0 from a
      // number we never saw.
      if (fromOtherSide(this.live.user, m)) before = Math.max(0, now - 1);
      else if (m.kind === "system" || m.sender_side === "system") before = now;
      else return this.resync();
    }
    this.add(now - before);
  };

  Badges.prototype.receipt = function (frame) {
    var mine = this.kind() === "customer" ? "customer" : "store";
    if (frame.state !== "seen" || frame.side !== mine) return;
    var id = frame.conversation_id;
    var before = this.counts[id];
    // Read up to the newest we know of: nothing left there.
    if (before !== undefined && this.newest[id] && frame.up_to >= this.newest[id]) {
      this.counts[id] = 0;
      return this.add(-before);
    }
    delete this.counts[id];
    this.resync();
  };

  /** Reads the count again from badge.json, soon (several frames, one request). */
  Badges.prototype.resync = function (force) {
    if (!this.elements().length || (!force && this.total === 0)) return;
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.fetch(); }, RESYNC_AFTER_MS);
  };

  Badges.prototype.fetch = function () {
    var badge = this.elements()[0];
    if (!badge || !global.fetch) return;
    if (this.fetching) return this.resync(true);
    var url = badge.getAttribute("data-storechat-unread-url") || BADGE_URLS[this.kind()];
    var self = this;
    var changes = this.changes;
    this.fetching = true;
    global
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        self.fetching = false;
        var n = typeof body.unread === "number" ? body.unread : body.unread_messages;
        if (typeof n !== "number") return;
        // A frame moved the count meanwhile: this answer may predate it.
        if (self.changes !== changes) return self.resync(true);
        self.set(n);
      })
      .catch(function () {
        self.fetching = false;
      });
  };

  var shared = {};

  global.StorechatLive = {
    /** The page's connection to URL (one per URL), connecting now. */
    connect: function (options) {
      var url = socketUrl(options && options.url);
      if (!shared[url]) {
        shared[url] = new Live(url);
        shared[url].badges = new Badges(shared[url]);
        shared[url].connect();
      }
      return shared[url];
    },
    clientMsgId: clientMsgId,
    fromOtherSide: fromOtherSide,
    Live: Live,
  };

  // Loaded by the host's own layout for its badges: connect when there are some.
  function badgesOnly() {
    if (document.querySelector("[data-storechat-unread]")) global.StorechatLive.connect();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", badgesOnly);
  else badgesOnly();
})(window);
